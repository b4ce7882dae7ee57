import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { HarnessError } from '../errors.js';
import type { HistoryEvent } from '../history/events.js';
import type { LoadEntry, WorkerKindName } from './kind-registry.js';
import { counterBell, newCounterBlock, readCounters } from './counters.js';
import { deferred } from './engine.js';
import { incompleteSegmentMessage, mergedSegmentName } from '../history/run-folder.js';
import { createSegmentFile, readSegment } from './segment.js';
import type { LoadContext, LoadDriver } from './types.js';
import type { FoldSummary, FromWorker, SegmentSeal, SinkLimits, ToWorker, WorkerInput } from './wire.js';

// Fault injection for tests: the load worker exits (unsealed) after this many ended operations.
export const FAULT_EXIT_ENV = 'SHUTDOWN_DRILL_FAULT_LOAD_EXIT_AFTER';

// How long stop() waits for the worker's last batch before terminating it.
const STOP_GRACE_MS = 2_000;

// The worker's entry file: the compiled .js next to this file, or the .ts source when the harness
// runs from source under a TypeScript loader (tests, tsx); worker threads inherit the loader.
export function workerEntryUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./worker-entry${ext}`, import.meta.url);
}

// A load driver whose engine runs in a worker thread: the host starts it, tells it about the first
// signal, the endpoint removal and the target's exit, ends it (terminating the thread, which
// closes every socket) on stop(), and then merges the worker's history segment (segment.ts) into
// the history. While it runs, its live counters are in `counters` (counters.ts). A worker that
// ended without sealing its segment leaves the record incomplete: a load:error naming the segment,
// and `incomplete()` says so (the run is then an error, never a pass).
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
  // start()'s answer; settled early when a warmed worker fails (handled here, so never unhandled).
  private readonly readyD = deferred();
  private started = false;
  private startFailed = false;
  // When the worker had loaded its engine (run clock), once it said so.
  private warmT: number | undefined;
  private readonly warmD = deferred<number | undefined>();
  // Resolves when the worker has loaded its engine (with the time), or undefined when it never will.
  readonly warmed: Promise<number | undefined> = this.warmD.promise;
  private readonly stoppedD = deferred<{ stats: Record<string, unknown>; summary: FoldSummary; segment: SegmentSeal } | undefined>();
  private stopping: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private signalSeen = false;
  private exitSeen = false;
  // The driver's live counters (shared memory, written by the worker).
  readonly counters: SharedArrayBuffer = newCounterBlock();
  private segmentFile: string | undefined;
  private lost: string | undefined;

  constructor(kind: WorkerKindName, spec: LoadEntry, ctx: LoadContext, options: { detail?: Record<string, unknown>; limits?: Partial<SinkLimits> } = {}) {
    this.kind = kind;
    this.name = ctx.name;
    this.spec = spec;
    this.ctx = ctx;
    this.limits = options.limits;
    this.detail = options.detail ?? {};
    this.done = this.doneD.promise;
    this.readyD.promise.catch(() => {});
  }

  // Starts the worker thread ahead of start(): it loads its engine's modules (autocannon alone takes
  // 100-150 ms to import here, several times that on a busy machine) and waits. The run warms its
  // loads right after the target is spawned, so they load while the target gets ready and the load
  // begins within milliseconds of ready (harness/run/steps/load.ts). Nothing is sent to the target
  // and nothing is recorded until start().
  warm(): void {
    if (this.worker || this.startFailed || this.ctx.signal.aborted) return;
    this.spawn(true);
  }

  start(): Promise<void> {
    const { history, name } = this.ctx;
    history.emit({ type: 'load:started', driver: name, kind: this.kind, detail: this.detail, ...(this.warmT !== undefined ? { warmT: this.warmT } : {}) });
    this.started = true;
    if (this.ctx.signal.aborted) {
      this.fail('the run was aborted before the load started');
      this.doneD.resolve();
      return this.readyD.promise;
    }
    if (this.worker) this.send({ type: 'start' });
    else if (!this.startFailed) this.spawn(false);
    // The signal and the exit may already be in the history (a driver started late).
    for (const e of history.events()) this.observe(e);
    this.unsubscribe = history.subscribe((e) => this.observe(e));
    this.ctx.signal.addEventListener('abort', () => void this.stop(), { once: true });
    return this.readyD.promise;
  }

  // Rejects start() with a message naming the load (once).
  private fail(message: string, cause?: unknown): void {
    this.readyD.reject(new HarnessError('LOAD_FAILED', `load "${this.ctx.name}" (${this.kind}): ${message}`, { cause }));
  }

  // Creates the segment file and the worker thread (`waitForStart`: it waits for the `start`
  // message; otherwise it starts at once). A failure to create them fails start().
  private spawn(waitForStart: boolean): void {
    const { history, name } = this.ctx;
    let worker: Worker;
    try {
      this.segmentFile = createSegmentFile(this.ctx.runDir, name);
      const fault = Number(process.env[FAULT_EXIT_ENV]);
      const input: WorkerInput = {
        kind: this.kind, spec: this.spec, host: this.ctx.host, port: this.ctx.port, name,
        clockOrigin: this.ctx.clockOrigin, ...(this.limits ? { limits: this.limits } : {}),
        segmentFile: this.segmentFile, counters: this.counters, bell: counterBell(),
        ...(Number.isInteger(fault) && fault > 0 ? { faultExitAfterOps: fault } : {}),
        ...(waitForStart ? { waitForStart: true } : {}),
      };
      worker = new Worker(workerEntryUrl(), { workerData: input, stdout: false, stderr: false });
    } catch (error) {
      this.startFailed = true;
      this.warmD.resolve(undefined);
      this.fail(`could not start the load worker: ${(error as Error).message}`, error);
      this.doneD.resolve();
      return;
    }
    this.worker = worker;
    worker.on('message', (msg: FromWorker) => {
      switch (msg.type) {
        case 'warm':
          this.warmT = msg.t;
          this.warmD.resolve(msg.t);
          break;
        case 'ready':
          this.readyD.resolve();
          break;
        case 'ready-failed':
          history.emit({ type: 'load:error', driver: name, message: msg.message });
          this.fail(msg.message);
          this.doneD.resolve();
          break;
        case 'finished':
          this.doneD.resolve();
          break;
        case 'stopped':
          this.stoppedD.resolve({ stats: msg.stats, summary: msg.summary, segment: msg.segment });
          break;
      }
    });
    worker.on('error', (error) => {
      this.warmD.resolve(undefined);
      // Recorded once the load has started (a warmed worker that failed before is reported by start()).
      if (this.started) history.emit({ type: 'load:error', driver: name, message: `load worker failed: ${error.message}` });
      this.fail(`the load worker failed: ${error.message}`, error);
      this.doneD.resolve();
      this.stoppedD.resolve(undefined);
    });
    worker.on('exit', () => {
      this.warmD.resolve(undefined);
      this.fail('the load worker exited before the load was ready');
      this.doneD.resolve();
      this.stoppedD.resolve(undefined);
    });
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.unsubscribe?.();
    const worker = this.worker;
    if (!this.started) {
      // Warmed, never started (the run ended before its load step): nothing ran, nothing is recorded.
      if (worker) await worker.terminate().catch(() => 0);
      if (this.segmentFile) fs.rmSync(this.segmentFile, { force: true });
      this.doneD.resolve();
      return;
    }
    let last: { stats: Record<string, unknown>; summary: FoldSummary; segment: SegmentSeal } | undefined;
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
    await this.merge(last?.segment);
    this.ctx.history.emit({
      type: 'load:stopped', driver: this.name,
      stats: last ? { ...last.stats, summary: last.summary } : { ...(worker ? { counters: readCounters(this.counters) } : {}), lost: 'the load worker did not report its last counts' },
    });
    this.doneD.resolve();
  }

  // Merges the worker's segment into the history (each event at its own time). Once the history's
  // file holds those events, a sealed segment is deleted and one the worker did not seal, or could
  // not write whole, is renamed `load-<name>.segment.merged.jsonl` and reported incomplete (a
  // load:error naming it). Until then (and for good when the history could not be written) it
  // keeps its name, which says unmerged: a harness killed meanwhile leaves it for report DIR to
  // merge (history/run-folder.ts readRunHistory).
  private async merge(seal: SegmentSeal | undefined): Promise<void> {
    const file = this.segmentFile;
    if (!file) return;
    if (!this.worker) {
      fs.rmSync(file, { force: true });
      return;
    }
    const { history } = this.ctx;
    const { events, torn } = readSegment(file);
    for (const e of events) history.emit(e);
    const why = !seal ? 'the load worker ended before sealing it (it died or hung)'
      : seal.error ? `the worker could not write it: ${seal.error}`
      : torn ? `${torn} line(s) of it are torn`
      : seal.events > events.length ? `it holds ${events.length} of the ${seal.events} events the worker wrote` : undefined;
    let kept = file;
    if (await history.whenWritten()) {
      try {
        if (why === undefined) fs.rmSync(file, { force: true });
        else fs.renameSync(file, (kept = mergedSegmentName(file)));
      } catch {
        kept = file;
      }
    }
    if (why === undefined) return;
    const rel = path.relative(path.dirname(history.file ?? kept), kept) || kept;
    this.lost = incompleteSegmentMessage({ driver: this.name, segment: rel, kept: `${events.length} events kept`, why });
    history.emit({ type: 'load:error', driver: this.name, message: this.lost });
  }

  // Why the driver's record is incomplete (its segment was not sealed), or undefined when whole.
  incomplete(): string | undefined {
    return this.lost;
  }

  // The events the worker has written to its segment so far (its history view while it runs).
  peek(): HistoryEvent[] {
    return this.segmentFile ? readSegment(this.segmentFile).events : [];
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
}
