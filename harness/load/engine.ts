import type { Clock } from '../clock.js';
import { HarnessError } from '../errors.js';
import type { OpSink } from './op-sink.js';

// What a load engine gets inside its worker.
export interface EngineEnv {
  sink: OpSink;
  clock: Clock;
  host: string;
  port: number | undefined;
  name: string;
}

// A load engine running inside a load worker (worker-entry.ts): one per `load` entry of kind http,
// ws or tcp. Engines record every operation through `env.sink`.
export interface Engine {
  // Resolves once the load runs (ws: every client connected or failed, at least one connected);
  // rejects with a message naming what failed.
  start(): Promise<Record<string, unknown>>;
  // Resolves when the load has ended by itself (amount, duration, every client gone).
  readonly finished: Promise<void>;
  // The target exited: start no new operation; let the open ones end (their sockets die).
  windDown(): void;
  // Ends every client and socket now; operations still open stay unfinished.
  stop(): Promise<void>;
  stats(): Record<string, unknown>;
}

// A resolvable promise.
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// The target's port, or a message naming the missing `{port}`.
export function requirePort(port: number | undefined, what: string): number {
  if (port === undefined) {
    throw new HarnessError('LOAD_FAILED', `load ${what}: the target has no port; give the target a \`{port}\` placeholder in its args or env so the load knows where to connect`);
  }
  return port;
}
