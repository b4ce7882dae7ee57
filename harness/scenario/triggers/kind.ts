import type { z } from 'zod';

// What a trigger kind is (one file per kind in this folder, one line in index.ts): its fields
// (the schema fragment, with a `.describe()` per field), its text for run names and reports, and
// how it is armed. The scenario schema's trigger union and the TS unions derive from the list;
// inject/triggers.ts arms a trigger by its `arm`.

// The counters a count trigger may watch (kept per load driver, load/counters.ts).
export type TriggerCount = 'started' | 'ended' | 'inFlight' | 'acceptedInFlight' | 'responses' | 'errors' | 'connectedClients' | 'openConns' | 'messages';

// A load entry as a count trigger sees it: its kind (`http`, `ws`, ...), that kind's options, and
// how many clients it connects (ws clients, browser pages: load/kinds.ts loadClients).
export interface TriggerLoadEntry { kind: string; options: Readonly<Record<string, unknown>>; clients: number }

// How a trigger is armed:
// - `delay`: a moment known when it is armed, counted from the target's spawn or readiness (the
//   strike thread sends at it); `random` is a number in [0, 1) drawn from the run's seed;
// - `watch`: the main thread watches the target's output lines (`log`) or files (`file`);
// - `count`: the strike thread watches a counter of the load (summed over the drivers the
//   trigger's `driver` names, every load but probes without it) and sends the first signal the
//   moment it reaches `goal` (plus the trigger's `delayMs`); `text` says the count in `reason`;
// - `suite`: never reaches a run (expanded into runs by the suite, e.g. a sweep).
export type TriggerArm<T> =
  | { on: 'main'; delay: (spec: T, draw: { seed: number; random: number }) => { from: 'spawn' | 'ready'; ms: number; reason: string } }
  | { on: 'main'; watch: 'log' | 'file' }
  | { on: 'strike'; count: TriggerCount; goal: (spec: T, load: readonly TriggerLoadEntry[]) => number; text: (n: number) => string }
  | { on: 'suite' };

export interface TriggerKind<S extends z.ZodType = z.ZodType> {
  // The field that names the trigger in `strike.at` (unique among the kinds).
  key: string;
  schema: S;
  describe: (spec: z.output<S>) => string;
  arm: TriggerArm<z.output<S>>;
}

// A trigger kind, typed by its schema.
export function defineTrigger<S extends z.ZodType>(kind: TriggerKind<S>): TriggerKind<S> {
  return kind;
}
