// The live counters of one load driver, in shared memory (a SharedArrayBuffer written with Atomics):
// the load worker that makes the operations writes them (CounterWriter, beside its OpSink); the
// main thread (the live view, load:stopped when the worker died) and the strike thread (the
// load-based triggers, inject/count-watch.ts) read them, so no per-operation message crosses
// threads. Every change rings the process's bell (one shared Int32 slot) and, while a trigger
// watches, wakes its waiters (Atomics.notify).
import type { OpOutcome } from '../history/events.js';
import { OP_OUTCOMES } from './outcome.js';

// The integer counters, one Int32 slot each (the order is the layout: append only).
export const COUNTERS = ['started', 'ended', 'inFlight', 'acceptedInFlight', 'responses', 'errors', 'connectedClients', 'openConns', 'messages'] as const;
export type CounterName = (typeof COUNTERS)[number];
const OUTCOMES = OP_OUTCOMES;
// The last Int32 slot is the writer's fence (CounterWriter.changed).
const INT_SLOTS = COUNTERS.length + OUTCOMES.length + 1;
const FENCE = INT_SLOTS - 1;
// Float64 slots after the integers: the run-clock time of the last change, then a ring of the
// times of the last RING responses (response n at index (n - 1) % RING), so a watcher that sees the
// count reach N learns when the N-th response came, not when it looked.
const RING = 64;
const FLOAT_OFFSET = Math.ceil((INT_SLOTS * 4) / 8) * 8;
const BYTES = FLOAT_OFFSET + 8 * (1 + RING);
const OUTCOME_BASE = COUNTERS.length;
// Each counter's Int32 slot and each outcome's, derived from the layout once (the per-operation
// path indexes them on every Atomics call).
const SLOT = Object.fromEntries(COUNTERS.map((name, i) => [name, i])) as Record<CounterName, number>;
const OUTCOME_SLOT = Object.fromEntries(OUTCOMES.map((o, i) => [o, OUTCOME_BASE + i])) as Record<OpOutcome, number>;

// The bell: [0] rings on every change of any driver's counters while [1], the number of watchers
// waiting on it, is not 0.
const BELL_RING = 0;
const BELL_WATCHERS = 1;
let processBell: SharedArrayBuffer | undefined;

// The process's bell (one for every run and driver of this harness process).
export function counterBell(): SharedArrayBuffer {
  processBell ??= new SharedArrayBuffer(8);
  return processBell;
}

// A fresh, zeroed counter block for one driver.
export function newCounterBlock(): SharedArrayBuffer {
  return new SharedArrayBuffer(BYTES);
}

// What a reader sees: every counter, per-outcome ended counts, and the last change's time.
export type CounterSnapshot = Record<CounterName, number> & { outcomes: Partial<Record<OpOutcome, number>>; lastChangeT: number };

// Reads a counter block (any thread).
export function readCounters(block: SharedArrayBuffer): CounterSnapshot {
  const ints = new Int32Array(block, 0, INT_SLOTS);
  const floats = new Float64Array(block, FLOAT_OFFSET, 1 + RING);
  const out = { outcomes: {} } as CounterSnapshot;
  COUNTERS.forEach((name, i) => (out[name] = Atomics.load(ints, i)));
  OUTCOMES.forEach((o, i) => {
    const n = Atomics.load(ints, OUTCOME_BASE + i);
    if (n) out.outcomes[o] = n;
  });
  out.lastChangeT = floats[0]!;
  return out;
}

// The live view of a run's load, summed over its drivers' blocks (any thread); undefined with none.
export function liveLoad(blocks: readonly SharedArrayBuffer[]): { responses: number; inFlight: number; clients: number } | undefined {
  if (!blocks.length) return undefined;
  let responses = 0;
  let inFlight = 0;
  let clients = 0;
  for (const block of blocks) {
    responses += readCounter(block, 'responses');
    inFlight += readCounter(block, 'inFlight');
    clients += readCounter(block, 'connectedClients');
  }
  return { responses, inFlight, clients };
}

// One counter of a block (any thread).
export function readCounter(block: SharedArrayBuffer, name: CounterName): number {
  return Atomics.load(new Int32Array(block, 0, INT_SLOTS), SLOT[name]);
}

// The run-clock time of the n-th response (1-based) when it is still in the ring (the count is
// less than RING past it), else undefined.
export function responseTime(block: SharedArrayBuffer, n: number): number | undefined {
  const count = readCounter(block, 'responses');
  if (n < 1 || n > count || count - n >= RING) return undefined;
  return new Float64Array(block, FLOAT_OFFSET, 1 + RING)[1 + ((n - 1) % RING)];
}

// The run-clock time of the block's last change.
export function lastChangeT(block: SharedArrayBuffer): number {
  return new Float64Array(block, FLOAT_OFFSET, 1)[0]!;
}

// The bell's current ring count and the waiting side of it (for watchers: inject/count-watch.ts).
export function bellView(bell: SharedArrayBuffer): { ints: Int32Array; ring: number; watchers: number } {
  return { ints: new Int32Array(bell), ring: BELL_RING, watchers: BELL_WATCHERS };
}

// Writes a driver's counters from its load worker: told of every operation's start and end and of
// every connection and client open/close (OpSink calls it). In flight counts every operation
// started and not ended; accepted in flight only those whose connection is established (an
// operation begun while its connection was connecting counts from that connection's conn:open).
export class CounterWriter {
  private readonly ints: Int32Array;
  private readonly floats: Float64Array;
  private readonly bell: Int32Array;
  private readonly openConns = new Set<string>();
  // Operations begun on a connection not yet established, by connection; and the reverse.
  // (An operation is any key its sink gives: the sink's record of it.)
  private readonly waiting = new Map<string, Set<unknown>>();
  private readonly waitingOn = new Map<unknown, string>();

  constructor(block: SharedArrayBuffer, bell: SharedArrayBuffer) {
    this.ints = new Int32Array(block, 0, INT_SLOTS);
    this.floats = new Float64Array(block, FLOAT_OFFSET, 1 + RING);
    this.bell = new Int32Array(bell);
  }

  opStarted(id: unknown, conn: string | null, connecting: boolean, t: number): void {
    const ints = this.ints;
    ints[SLOT.started]!++;
    ints[SLOT.inFlight]!++;
    if (connecting && conn !== null && !this.openConns.has(conn)) {
      let set = this.waiting.get(conn);
      if (!set) this.waiting.set(conn, (set = new Set()));
      set.add(id);
      this.waitingOn.set(id, conn);
    } else {
      ints[SLOT.acceptedInFlight]!++;
    }
    this.changed(t);
  }

  opEnded(id: unknown, outcome: OpOutcome, status: number | null, t: number): void {
    const ints = this.ints;
    const conn = this.waitingOn.size ? this.waitingOn.get(id) : undefined;
    if (conn !== undefined) {
      this.waitingOn.delete(id);
      this.waiting.get(conn)?.delete(id);
    } else {
      ints[SLOT.acceptedInFlight]!--;
    }
    ints[SLOT.inFlight]!--;
    ints[OUTCOME_SLOT[outcome]]!++;
    if (outcome !== 'ok') ints[SLOT.errors]!++;
    ints[SLOT.ended]!++;
    if (status !== null || outcome === 'ok') {
      // The time first, then the count (the publishing write): a reader that sees the count sees
      // its time.
      const n = ints[SLOT.responses]! + 1;
      this.floats[1 + ((n - 1) % RING)] = t;
      this.changed(t, SLOT.responses, n);
    } else {
      this.changed(t);
    }
  }

  connOpened(conn: string, t: number): void {
    if (this.openConns.has(conn)) return;
    this.openConns.add(conn);
    this.ints[SLOT.openConns]!++;
    const set = this.waiting.get(conn);
    if (set) {
      this.waiting.delete(conn);
      for (const id of set) this.waitingOn.delete(id);
      this.ints[SLOT.acceptedInFlight]! += set.size;
    }
    this.changed(t);
  }

  connClosed(conn: string, t: number): void {
    if (!this.openConns.delete(conn)) return;
    this.ints[SLOT.openConns]!--;
    this.changed(t);
  }

  clientOpened(t: number): void {
    this.ints[SLOT.connectedClients]!++;
    this.changed(t);
  }

  clientClosed(t: number): void {
    this.ints[SLOT.connectedClients]!--;
    this.changed(t);
  }

  message(t: number): void {
    this.ints[SLOT.messages]!++;
    this.changed(t);
  }

  // Publishes a change and rings the bell for it. The counters above are written with plain
  // stores (this writer is their only writer: one per driver, in its load worker); one
  // sequentially consistent store per change, of `value` into `slot` (the new responses count,
  // or 0 into the fence slot, which nobody reads), publishes them: it is ordered after them, and
  // a reader's Atomics.load of a counter sees them. Atomics read-modify-writes on every counter
  // cost 4-6 locked instructions per operation on the load's own CPU. The bell rings only while someone watches: a watcher
  // counts itself in before it reads the counters (inject/count-watch.ts onRings), and this store
  // comes before the load of that count, so a change the writer does not ring for is one the
  // watcher's first read already sees. Unwatched (most of a load), a change writes nothing to the
  // shared bell.
  private changed(t: number, slot = FENCE, value = 0): void {
    this.floats[0] = t;
    Atomics.store(this.ints, slot, value);
    if (Atomics.load(this.bell, BELL_WATCHERS) > 0) {
      Atomics.add(this.bell, BELL_RING, 1);
      Atomics.notify(this.bell, BELL_RING);
    }
  }
}
