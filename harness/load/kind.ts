import type { z } from 'zod';
import type { FieldKit } from '../scenario/fields.js';
import type { Engine, EngineEnv } from './engine.js';
import type { LoadContext, LoadDriver } from './types.js';

// A load kind: everything the harness knows about one kind of `load` entry, in one file
// (load/kinds/<kind>.ts), listed once in load/kinds.ts. The scenario schema's load union, the
// default driver names, the worker dispatch and main-thread driver creation derive from the list.
interface LoadKindBase<K extends string, S extends z.ZodType> {
  // The entry's key in a scenario (`load: [{ <kind>: {...} }]`), the driver's `kind` in the
  // history, and the prefix of its default name (`<kind>#<index>`, see load/name.ts).
  readonly kind: K;
  // The kind's fields (the object under its key), each with a one-line `.describe()`; built from
  // the shared fields so that a kind file loads no zod at runtime (the load worker imports the kinds).
  schema(kit: FieldKit): S;
  // How many clients the entry connects (for the `wsAllConnected` trigger); unset: it has none.
  clients?(spec: z.output<S>): number;
}

// A kind whose engine runs in a load worker thread (worker-host.ts), off the strike's thread.
export interface WorkerLoadKind<K extends string = string, S extends z.ZodType = z.ZodType> extends LoadKindBase<K, S> {
  readonly thread: 'worker';
  // The `load:started` event's detail, written by the host before the worker starts.
  detail(spec: z.output<S>): Record<string, unknown>;
  // Creates the engine inside the worker; import the engine module lazily (`await import(...)`) so
  // that loading the kinds (the scenario schema, every start-up) stays cheap.
  createEngine(spec: z.output<S>, env: EngineEnv): Promise<Engine>;
}

// A kind whose driver runs on the main thread (a few requests per second, or a process of its own).
export interface MainLoadKind<K extends string = string, S extends z.ZodType = z.ZodType> extends LoadKindBase<K, S> {
  readonly thread: 'main';
  // Creates the driver (lazily imported, as createEngine); the driver emits its own load:started.
  createDriver(spec: z.output<S>, ctx: LoadContext): Promise<LoadDriver>;
}

export type LoadKind<K extends string = string, S extends z.ZodType = z.ZodType> = WorkerLoadKind<K, S> | MainLoadKind<K, S>;

// Declares a load kind; returns it as given, with its spec type inferred from `schema`.
export function defineLoadKind<K extends string, S extends z.ZodType>(kind: WorkerLoadKind<K, S>): WorkerLoadKind<K, S>;
export function defineLoadKind<K extends string, S extends z.ZodType>(kind: MainLoadKind<K, S>): MainLoadKind<K, S>;
export function defineLoadKind(kind: LoadKind): LoadKind {
  return kind;
}
