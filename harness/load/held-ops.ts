import type { OpOutcome } from '../history/events.js';
import { OP_OUTCOMES } from './outcome.js';

// The ended operations an OpSink holds before folding them (op-sink.ts: held for `holdMs`, so
// that those the first signal's notice reaches late are still recorded one by one), kept as
// columns in typed arrays, not as the operations' objects. At full load that is thousands of
// operations at any moment; held as objects they outlived the young generation and were copied
// and then collected as old objects (3-4 us per operation in a tight loop against under 1 us
// with nothing held), which the load's own CPU paid for. A ring: oldest at `head`, grown by
// doubling when full.

const OUTCOMES = OP_OUTCOMES;
const OUTCOME_INDEX = new Map<OpOutcome, number>(OUTCOMES.map((o, i) => [o, i]));

// What a held operation is made of (the fields of op-sink.ts's Op that are recorded).
export interface HeldFields {
  id: string | null; idBase: string; seq: number; startT: number; conn: string | null; op: string | null; connecting: 0 | 1;
  endT: number; outcome: OpOutcome; status: number | null; bytes: number | null; error: string | null; sentT: number | null; firstByteT: number | null;
}

export class HeldOps {
  private cap: number;
  private head = 0;
  private len = 0;
  // Numbers: NaN stands for null.
  private startT: Float64Array;
  private endT: Float64Array;
  private sentT: Float64Array;
  private firstByteT: Float64Array;
  private status: Float64Array;
  private bytes: Float64Array;
  private seq: Float64Array;
  private outcome: Uint8Array;
  private connecting: Uint8Array;
  // References to strings the engine keeps anyway (per connection, per label).
  private id: Array<string | null>;
  private idBase: string[];
  private conn: Array<string | null>;
  private op: Array<string | null>;
  private error: Array<string | null>;

  constructor(initial = 1024) {
    this.cap = initial;
    this.startT = new Float64Array(initial);
    this.endT = new Float64Array(initial);
    this.sentT = new Float64Array(initial);
    this.firstByteT = new Float64Array(initial);
    this.status = new Float64Array(initial);
    this.bytes = new Float64Array(initial);
    this.seq = new Float64Array(initial);
    this.outcome = new Uint8Array(initial);
    this.connecting = new Uint8Array(initial);
    this.id = new Array<string | null>(initial).fill(null);
    this.idBase = new Array<string>(initial).fill('');
    this.conn = new Array<string | null>(initial).fill(null);
    this.op = new Array<string | null>(initial).fill(null);
    this.error = new Array<string | null>(initial).fill(null);
  }

  get length(): number {
    return this.len;
  }

  // Holds an ended operation (its fields are copied: the object can die young).
  push(o: HeldFields): void {
    if (this.len === this.cap) this.grow();
    const i = (this.head + this.len) % this.cap;
    this.len++;
    this.startT[i] = o.startT;
    this.endT[i] = o.endT;
    this.sentT[i] = o.sentT ?? NaN;
    this.firstByteT[i] = o.firstByteT ?? NaN;
    this.status[i] = o.status ?? NaN;
    this.bytes[i] = o.bytes ?? NaN;
    this.seq[i] = o.seq;
    this.outcome[i] = OUTCOME_INDEX.get(o.outcome) ?? 0;
    this.connecting[i] = o.connecting;
    this.id[i] = o.id;
    this.idBase[i] = o.idBase;
    this.conn[i] = o.conn;
    this.op[i] = o.op;
    this.error[i] = o.error;
  }

  // The end time of the oldest held operation (NaN when none is held).
  oldestEndT(): number {
    return this.len ? this.endT[this.head]! : NaN;
  }

  // Drops the oldest held operation, handing its counted fields to `fold`.
  shiftFold(fold: (outcome: OpOutcome, bytes: number, startT: number, endT: number) => void): void {
    const i = this.head;
    const bytes = this.bytes[i]!;
    fold(OUTCOMES[this.outcome[i]!]!, Number.isNaN(bytes) ? 0 : bytes, this.startT[i]!, this.endT[i]!);
    this.clear(i);
    this.head = (i + 1) % this.cap;
    this.len--;
  }

  // Hands every held operation, oldest first, to `send` as a whole record, and empties the ring.
  drain(send: (o: HeldFields) => void): void {
    while (this.len > 0) {
      const i = this.head;
      const seq = this.seq[i]!;
      const base = this.idBase[i]!;
      send({
        id: this.id[i] ?? (seq === 0 ? base : base + seq), idBase: base, seq, startT: this.startT[i]!, conn: this.conn[i]!, op: this.op[i]!,
        connecting: this.connecting[i] ? 1 : 0, endT: this.endT[i]!, outcome: OUTCOMES[this.outcome[i]!]!,
        status: orNull(this.status[i]!), bytes: orNull(this.bytes[i]!), error: this.error[i]!, sentT: orNull(this.sentT[i]!), firstByteT: orNull(this.firstByteT[i]!),
      });
      this.clear(i);
      this.head = (i + 1) % this.cap;
      this.len--;
    }
    this.head = 0;
  }

  // Lets go of the strings a slot refers to.
  private clear(i: number): void {
    this.id[i] = null;
    this.conn[i] = null;
    this.op[i] = null;
    this.error[i] = null;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const order = (a: ArrayLike<number>, into: Float64Array | Uint8Array): void => {
      for (let k = 0; k < this.len; k++) into[k] = a[(this.head + k) % this.cap]!;
    };
    const f64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      order(a, b);
      return b;
    };
    const u8 = (a: Uint8Array): Uint8Array => {
      const b = new Uint8Array(cap);
      order(a, b);
      return b;
    };
    const refs = <T>(a: T[], fill: T): T[] => {
      const b = new Array<T>(cap).fill(fill);
      for (let k = 0; k < this.len; k++) b[k] = a[(this.head + k) % this.cap]!;
      return b;
    };
    this.startT = f64(this.startT);
    this.endT = f64(this.endT);
    this.sentT = f64(this.sentT);
    this.firstByteT = f64(this.firstByteT);
    this.status = f64(this.status);
    this.bytes = f64(this.bytes);
    this.seq = f64(this.seq);
    this.outcome = u8(this.outcome);
    this.connecting = u8(this.connecting);
    this.id = refs(this.id, null);
    this.idBase = refs(this.idBase, '');
    this.conn = refs(this.conn, null);
    this.op = refs(this.op, null);
    this.error = refs(this.error, null);
    this.head = 0;
    this.cap = cap;
  }
}

function orNull(n: number): number | null {
  return Number.isNaN(n) ? null : n;
}
