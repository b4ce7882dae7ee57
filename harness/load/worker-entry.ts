// The load worker: runs one engine (of a worker kind: load/kinds.ts) off the harness's main thread, so the strike
// timer is never delayed by load. Events are stamped on the run's clock (same CLOCK_MONOTONIC
// origin), batched by the event cap (op-sink.ts) and appended to the worker's own history segment
// (segment.ts), which the host (worker-host.ts) merges into the history when the load stops; the
// live counters go to shared memory (counters.ts). No per-operation message reaches the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { clockFromOrigin } from '../clock.js';
import type { Engine, EngineEnv } from './engine.js';
import { kindSpec, loadKindOf, loadKinds } from './kinds.js';
import { CounterWriter } from './counters.js';
import { OpSink } from './op-sink.js';
import { SegmentWriter } from './segment.js';
import { measureThread, type ThreadBusy } from './thread-cpu.js';
import type { FromWorker, ToWorker, WorkerInput } from './wire.js';

const input = workerData as WorkerInput;
const port = parentPort!;
const send = (msg: FromWorker): void => port.postMessage(msg);
const clock = clockFromOrigin(input.clockOrigin);
const segment = new SegmentWriter(input.segmentFile, input.name);
const sink = new OpSink({ clock, post: (items) => segment.write(items), limits: input.limits, counters: new CounterWriter(input.counters, input.bell) });
if (input.faultExitAfterOps !== undefined) {
  const after = input.faultExitAfterOps;
  setInterval(() => {
    if (sink.ended >= after) process.exit(70);
  }, 1).unref();
}

// The engine of the input's kind, as its kind file creates it (load/kinds.ts lists them).
async function createEngine(env: EngineEnv): Promise<Engine> {
  const kind = loadKindOf(input.spec);
  if (kind?.thread !== 'worker' || kind.kind !== input.kind) throw new Error(`no worker load kind \`${input.kind}\`; the worker kinds are ${loadKinds.filter((k) => k.thread === 'worker').map((k) => k.kind).join(', ')}`);
  return kind.createEngine(kindSpec(input.spec, kind) as never, env);
}

let engine: Engine | undefined;
let stopping = false;
let running = false;
// This thread's CPU time while the load ran (from the engine's start to its end or stop).
let busy: (() => ThreadBusy | undefined) | undefined;
// The engine is created (its module loaded) at once, also in a warmed worker that waits for
// `start`; a failure to create it is reported when the load starts.
const created: Promise<Engine> = createEngine({ sink, clock, host: input.host, port: input.port, name: input.name });
created.then(() => send({ type: 'warm', t: clock.now() }), () => {});

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await engine?.stop();
  } catch (error) {
    sink.emit({ type: 'load:error', t: clock.now(), message: `stopping: ${(error as Error).message}` });
  }
  const thread = busy?.();
  sink.finish();
  segment.close();
  send({
    type: 'stopped', stats: { ...sink.stats(), ...(engine?.stats() ?? {}), ...(thread ? { thread } : {}) }, summary: sink.summary(),
    segment: { file: input.segmentFile, events: segment.written, ...(segment.error ? { error: segment.error } : {}) },
  });
}

// Starts the load (once).
async function run(): Promise<void> {
  if (running || stopping) return;
  running = true;
  try {
    engine = await created;
    if (stopping) return;
    busy = measureThread(() => clock.now());
    const detail = await engine.start();
    sink.flush();
    send({ type: 'ready', detail });
  } catch (error) {
    sink.flush();
    send({ type: 'ready-failed', message: (error as Error).message ?? String(error) });
    return;
  }
  await engine.finished;
  busy?.();
  sink.flush();
  send({ type: 'finished' });
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'start':
      void run();
      break;
    case 'signal':
      sink.noticeSignal(msg.t);
      break;
    case 'target-exit':
    case 'endpoints-removed':
      engine?.windDown();
      break;
    case 'stop':
      void stop();
      break;
  }
});

if (!input.waitForStart) void run();
