import type { History } from '../history/writer.js';
import type { LoadKindName } from './kind-registry.js';

// What a load driver gets from the run.
export interface LoadContext {
  // The run's history: emit per-operation events on the run's clock (see history/events.ts).
  history: History;
  // The run clock's origin as a decimal string of process.hrtime.bigint(), for worker threads and
  // child processes to stamp events on the same clock (clockFromOrigin in clock.ts).
  clockOrigin: string;
  host: string;
  // The target's port (the `{port}` placeholder), when it has one.
  port: number | undefined;
  // The driver's name: spec.name or `<kind>#<index>`.
  name: string;
  // The run's directory, for any file a driver wants to keep.
  runDir: string;
  // Aborted when the run ends early (interruption, error); a driver stops at once.
  signal: AbortSignal;
  // The marker value (SHUTDOWN_DRILL_RUN) for processes a driver starts (a browser): the session's
  // reaper ends them if the harness dies, while the target's orphan sweep does not count them.
  processMarker?: string;
}

// A running load. Drivers never outlive the run: stop() ends every client, socket, worker, browser.
export interface LoadDriver {
  readonly name: string;
  readonly kind: LoadKindName;
  // Prepares ahead of start(), without touching the target or the history (a worker driver loads
  // its thread and engine); optional.
  warm?(): void;
  // Resolves once the load is running (e.g. every WS client connected); rejects with a
  // HarnessError('LOAD_FAILED') naming what failed (e.g. nothing could connect).
  start(): Promise<void>;
  // Resolves when the load has finished by itself (amount/duration reached, or every client gone).
  readonly done: Promise<void>;
  // Ends the load; resolves when every client is gone; never rejects.
  stop(): Promise<void>;
  // The driver's live counters in shared memory (load/counters.ts), for drivers that run in a
  // worker: load-based triggers and the live view read them.
  readonly counters?: SharedArrayBuffer;
  // After stop(): why the driver's record in the history is incomplete (its worker died before
  // sealing its segment), or undefined when it is whole. The run is then an error.
  incomplete?(): string | undefined;
}

