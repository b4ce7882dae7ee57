import { Worker } from 'node:worker_threads';
import { HarnessError } from '../errors.js';
import type { HistoryEvent } from '../history/events.js';
import type { LoadEntry, WorkerKindName } from './kind-registry.js';
import { deferred } from './engine.js';
import type { LoadContext, LoadDriver } from './types.js';
import type { FoldSummary, FromWorker, SinkLimits, ToWorker, WireItem, WorkerInput } from './wire.js';

// How long stop() waits for the worker's last batch before terminating it.
const STOP_GRACE_MS = 2_000;

// The worker's entry file: the compiled .js next to this file, or the .ts source when the harness
// runs from source under a TypeScript loader (tests, tsx); worker threads inherit the loader.
export function workerEntryUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./worker-entry${ext}`, import.meta.url);
}

// A load driver whose engine runs in a worker thread: the host starts it, writes its batches into
// the history with the driver's name, tells it about the first signal, the endpoint removal and the target's exit, and
// ends it (terminating the thread, which closes every socket) on stop().
export class WorkerLoad implements LoadDriver {
  readonly name: string;
  readonly kind: WorkerKindName;
  readonly done: Promise<void>;
  private readonly spec: LoadEntry;
  private readonly ctx: LoadContext;
  private readonly limits: Partial<SinkLimits> | undefined;
  private readonly detail: Record<string, unknown>;
  private worker: Worker | undefined;
  private readonly doneD = deferred();
  private readonly stoppedD = deferred<{ stats: Record<string, unknown>; summary: FoldSummary } | undefined>();
  private stopping: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private signalSeen = false;
  private exitSeen = false;

  constructor(kind: WorkerKindName, spec: LoadEntry, ctx: LoadContext, options: { detail?: Record<string, unknown>; limits?: Partial<SinkLimits> } = {}) {
    this.kind = kind;
    this.name = ctx.name;
    this.spec = spec;
    this.ctx = ctx;
    this.limits = options.limits;
    this.detail = options.detail ?? {};
    this.done = this.doneD.promise;
  }

  start(): Promise<void> {
    const { history, name } = this.ctx;
    history.emit({ type: 'load:started', driver: name, kind: this.kind, detail: this.detail });
    const ready = deferred();
    const fail = (message: string, cause?: unknown): void => {
      ready.reject(new HarnessError('LOAD_FAILED', `load "${name}" (${this.kind}): ${message}`, { cause }));
    };
    if (this.ctx.signal.aborted) {
      fail('the run was aborted before the load started');
      this.doneD.resolve();
      return ready.promise;
    }
    const input: WorkerInput = {
      kind: this.kind, spec: this.spec, host: this.ctx.host, port: this.ctx.port, name,
      clockOrigin: this.ctx.clockOrigin, ...(this.limits ? { limits: this.limits } : {}),
    };
    let worker: Worker;
    try {
      worker = new Worker(workerEntryUrl(), { workerData: input, stdout: false, stderr: false });
    } catch (error) {
      fail(`could not start the load worker: ${(error as Error).message}`, error);
      this.doneD.resolve();
      return ready.promise;
    }
    this.worker = worker;
    worker.on('message', (msg: FromWorker) => {
      switch (msg.type) {
        case 'batch':
          this.write(msg.items);
          break;
        case 'ready':
          ready.resolve();
          break;
        case 'ready-failed':
          history.emit({ type: 'load:error', driver: name, message: msg.message });
          fail(msg.message);
          this.doneD.resolve();
          break;
        case 'finished':
          this.doneD.resolve();
          break;
        case 'stopped':
          this.stoppedD.resolve({ stats: msg.stats, summary: msg.summary });
          break;
      }
    });
    worker.on('error', (error) => {
      history.emit({ type: 'load:error', driver: name, message: `load worker failed: ${error.message}` });
      fail(`the load worker failed: ${error.message}`, error);
      this.doneD.resolve();
      this.stoppedD.resolve(undefined);
    });
    worker.on('exit', () => {
      fail('the load worker exited before the load was ready');
      this.doneD.resolve();
      this.stoppedD.resolve(undefined);
    });
    // The signal and the exit may already be in the history (a driver started late).
    for (const e of history.events()) this.observe(e);
    this.unsubscribe = history.subscribe((e) => this.observe(e));
    this.ctx.signal.addEventListener('abort', () => void this.stop(), { once: true });
    return ready.promise;
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.unsubscribe?.();
    const worker = this.worker;
    let last: { stats: Record<string, unknown>; summary: FoldSummary } | undefined;
    if (worker) {
      this.send({ type: 'stop' });
      let timer: NodeJS.Timeout | undefined;
      last = await Promise.race([
        this.stoppedD.promise,
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), STOP_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      await worker.terminate().catch(() => 0);
    }
    this.ctx.history.emit({
      type: 'load:stopped', driver: this.name,
      stats: last ? { ...last.stats, summary: last.summary } : { lost: 'the load worker did not report its last counts' },
    });
    this.doneD.resolve();
  }

  private observe(e: HistoryEvent): void {
    if (e.type === 'signal:sent' && !e.escalation && !e.error && !this.signalSeen) {
      this.signalSeen = true;
      this.send({ type: 'signal', t: e.t });
    } else if (e.type === 'target:exit' && !this.exitSeen) {
      this.exitSeen = true;
      this.send({ type: 'target-exit', t: e.t });
    } else if (e.type === 'endpoint:removed') {
      this.send({ type: 'endpoints-removed', t: e.t });
    }
  }

  private send(msg: ToWorker): void {
    try {
      this.worker?.postMessage(msg);
    } catch {
      // the worker is gone
    }
  }

  private write(items: WireItem[]): void {
    writeItems(this.ctx, items);
  }
}

// Writes wire items into the history as events of driver `ctx.name`.
export function writeItems(ctx: Pick<LoadContext, 'history' | 'name'>, items: readonly WireItem[]): void {
  const { history, name: driver } = ctx;
  for (const item of items) {
    switch (item[0]) {
      case 0: {
        const [, id, t, conn, op, connecting] = item;
        history.emit({ type: 'request:start', t, driver, id, ...(conn !== null ? { conn } : {}), ...(op !== null ? { op } : {}), ...(connecting ? { connecting: true as const } : {}) });
        break;
      }
      case 1: {
        const [, id, t, outcome, status, bytes, error, sentT, firstByteT] = item;
        history.emit({
          type: 'request:end', t, driver, id, outcome,
          ...(status !== null ? { status } : {}), ...(bytes !== null ? { bytes } : {}), ...(error !== null ? { error } : {}),
          ...(sentT !== null ? { sentT } : {}), ...(firstByteT !== null ? { firstByteT } : {}),
        });
        break;
      }
      case 2:
        history.emit({ ...item[1], driver });
        break;
    }
  }
}
