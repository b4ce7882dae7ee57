// Watching load counters (load/counters.ts) for a count-based trigger: the sum over the watched
// drivers' blocks, and the moment it reached the goal. Used on the strike thread (striker-entry.ts),
// which sends the signal as soon as the count is reached, and by the main thread's fallback
// (triggers.ts) when a watched driver has no shared counters.
import { bellView, lastChangeT, readCounter, responseTime, type CounterName } from '../load/counters.js';
import type { TriggerCount } from '../scenario/triggers/kind.js';

// Which counter a trigger watches (its kind's `arm.count`): e.g. responses (afterResponses),
// accepted operations in flight (inFlightAtLeast), connected clients (wsAllConnected). Every one
// is a counter of load/counters.ts (checked here).
export type CountKind = TriggerCount & CounterName;
const everyCountIsACounter: [TriggerCount] extends [CounterName] ? true : never = true;
void everyCountIsACounter;

export interface CountWatch {
  blocks: SharedArrayBuffer[];
  kind: CountKind;
  atLeast: number;
}

export interface CountReached {
  count: number;
  // When the count reached `atLeast` (run clock): the N-th response's own time for one driver's
  // responses, else the last change of the watched counters before it was seen.
  reachedT: number;
}

// The watched sum now; with the moment it was reached once it is >= atLeast.
export function countNow(w: CountWatch): { count: number; reached?: CountReached } {
  let count = 0;
  for (const b of w.blocks) count += readCounter(b, w.kind);
  if (count < w.atLeast) return { count };
  const exact = w.kind === 'responses' && w.blocks.length === 1 ? responseTime(w.blocks[0]!, w.atLeast) : undefined;
  const reachedT = exact ?? Math.max(...w.blocks.map(lastChangeT));
  return { count, reached: { count, reachedT } };
}

// Atomics.waitAsync (Node >= 16; typed from ES2024 on).
const waitAsync = (Atomics as unknown as { waitAsync: (a: Int32Array, i: number, v: number, ms: number) => { async: boolean; value: Promise<string> | string } }).waitAsync;

// Calls `check` now and after every ring of the bell (every counter change of any driver; at least
// every `maxWaitMs`) until it returns true or `signal` aborts; the writers notify only while
// someone watches. Never rejects.
export async function onRings(bell: SharedArrayBuffer, check: () => boolean, options: { signal?: AbortSignal; maxWaitMs?: number } = {}): Promise<void> {
  const { ints, ring, watchers } = bellView(bell);
  const maxWaitMs = options.maxWaitMs ?? 20;
  Atomics.add(ints, watchers, 1);
  try {
    for (;;) {
      if (options.signal?.aborted) return;
      const seen = Atomics.load(ints, ring);
      if (check()) return;
      const r = waitAsync(ints, ring, seen, maxWaitMs);
      if (r.async) await r.value;
    }
  } finally {
    Atomics.sub(ints, watchers, 1);
  }
}

// Resolves when the watched count reaches its goal (undefined when `signal` aborts first).
export async function watchCount(w: CountWatch, bell: SharedArrayBuffer, signal?: AbortSignal): Promise<CountReached | undefined> {
  let hit: CountReached | undefined;
  await onRings(bell, () => (hit = countNow(w).reached) !== undefined, signal ? { signal } : {});
  return hit;
}
