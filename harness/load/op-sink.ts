import type { Clock } from '../clock.js';
import type { OpOutcome } from '../history/events.js';
import type { CounterWriter } from './counters.js';
import { HeldOps, type HeldFields } from './held-ops.js';
import type { FoldCounts, FoldSummary, SinkLimits, WireEvent, WireItem } from './wire.js';

// The event cap, per driver. A load of 60k requests/s would write 120k events/s into the history
// (and keep them in memory); most of them say nothing about the shutdown. So:
// - the first `detailFirst` operations are recorded one by one (short runs and tests see all);
// - an operation still in flight when a batch is posted (every `batchMs`) is recorded one by one:
//   in-flight triggers see every operation that can be seen in flight;
// - failed operations are recorded one by one, up to `failureDetail`;
// - other operations that start and end between two batches before the first signal are held for
//   `holdMs`, then folded into counts, written as a load:summary event per `summaryMs` window;
//   when the signal comes, the held ones are released one by one;
// - every operation in flight at the signal is recorded one by one (what `drain` judges), and the
//   first `afterSignalDetail` operations started after it (what `new-work-rejected` judges);
// - ws:message: the first `messagesFirst` before the signal and `messagesAfterSignal` after it are
//   recorded; beyond that only the last `lastMessagesPerClient` of each client (its goodbye).
// Live counters (started, ended, in flight, every operation) go out as load:progress events at
// most every `progressMs` while they change.
// (SinkLimits, the knobs named above, lives in wire.ts: the worker input carries them.)

// The defaults of the event cap (documented in harness/load/README.md).
export const defaultSinkLimits: SinkLimits = {
  batchMs: 10,
  holdMs: 100,
  summaryMs: 100,
  progressMs: 50,
  detailFirst: 20_000,
  failureDetail: 10_000,
  afterSignalDetail: 20_000,
  messagesFirst: 1_000,
  messagesAfterSignal: 20_000,
  lastMessagesPerClient: 3,
};

// An operation: its start (`sent`: its start is recorded), and once ended, its end, filled in on
// the same object (one allocation per operation: this runs once per request at full load). While
// open it is linked into the sink's list of open operations (`prev`/`next`: no hashing per
// operation). Its id is made only when it is recorded one by one (`idBase` + `seq`): a folded
// operation never needs it. `tag` is the engine's own (e.g. the socket it was written on).
export interface Op extends HeldFields {
  sent: boolean; tag: unknown; prev: Op | null; next: Op | null; open: boolean;
}
interface HeldMessage { client: string; t: number; data: string }

// What is known of an operation at its end: the answer's status and size, the error, and its
// phases (request fully written, first byte of the answer).
export interface EndInfo { status?: number; bytes?: number; error?: string; sentT?: number; firstByteT?: number }

function emptyCounts(): FoldCounts {
  return { ops: 0, outcomes: {}, bytes: 0 };
}

interface FoldWindow extends FoldCounts { fromT: number; toT: number; messages: number; openedT: number }

function emptyWindow(t: number): FoldWindow {
  return { ops: 0, outcomes: {}, bytes: 0, messages: 0, fromT: Infinity, toT: -Infinity, openedT: t };
}

// Collects a driver's operations and events, applies the event cap, and posts batches of wire
// items every `batchMs`. Lives in the load worker (or in the main thread for light drivers).
export class OpSink {
  readonly clock: Clock;
  private readonly post: (items: WireItem[]) => void;
  private readonly limits: SinkLimits;
  private readonly counters: CounterWriter | undefined;
  private items: WireItem[] = [];
  // The open operations, oldest first (an intrusive list), and their count; the ids of those
  // started through start(id) (engines that end operations by id).
  private openHead: Op | null = null;
  private openTail: Op | null = null;
  private openCount = 0;
  private readonly byId = new Map<string, Op>();
  // Ended operations held before folding, oldest first (as columns: held-ops.ts).
  private readonly held = new HeldOps();
  private heldMessages: HeldMessage[] = [];
  private readonly lastMessages = new Map<string, HeldMessage[]>();
  private signalT: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private maxFoldedEndT = -Infinity;
  private detailed = 0;
  private failDetailed = 0;
  private afterDetailed = 0;
  private messagesDetailed = 0;
  private window: FoldWindow;
  private lastProgressT = -Infinity;
  private lastProgress = '0/0';
  private readonly fold: { before: FoldCounts; after: FoldCounts; messages: number } = { before: emptyCounts(), after: emptyCounts(), messages: 0 };
  started = 0;
  ended = 0;
  readonly outcomes: Partial<Record<OpOutcome, number>> = {};

  // `counters`: the driver's shared live counters (load/counters.ts), told of every operation.
  constructor(options: { clock: Clock; post: (items: WireItem[]) => void; limits?: Partial<SinkLimits>; counters?: CounterWriter }) {
    this.clock = options.clock;
    this.post = options.post;
    this.counters = options.counters;
    this.limits = { ...defaultSinkLimits, ...options.limits };
    this.window = emptyWindow(this.clock.now());
    this.timer = setInterval(() => this.flush(), this.limits.batchMs);
    this.timer.unref();
  }

  // Milliseconds on the run's clock.
  now(): number {
    return this.clock.now();
  }

  // Operations started and not yet ended.
  get inFlight(): number {
    return this.openCount;
  }

  // Records the start of operation `id` (unique within the driver) on connection `conn`;
  // `connecting` when that connection is not yet established (accepted at its conn:open).
  start(id: string, conn?: string, op?: string, t: number = this.clock.now(), connecting = false): void {
    const rec = this.begin(id, 0, conn ?? null, op ?? null, t, connecting, null);
    this.byId.set(id, rec);
  }

  // Records the end of operation `id`; ignored when it is not open (already ended).
  end(id: string, outcome: OpOutcome, info: EndInfo = {}, t: number = this.clock.now()): boolean {
    const rec = this.byId.get(id);
    if (!rec) return false;
    this.byId.delete(id);
    rec.sentT = info.sentT ?? null;
    rec.firstByteT = info.firstByteT ?? null;
    this.finishOp(rec, outcome, t, info.status ?? null, info.bytes ?? null, info.error ?? null);
    return true;
  }

  // The start of an operation, as a record the engine keeps and ends with finishOp() (the fast
  // path of the HTTP engine: no id string, map or end-info object per request). Its id is
  // `idBase + seq` (made when recorded one by one), or `idBase` alone when seq is 0.
  begin(idBase: string, seq: number, conn: string | null, op: string | null, t: number, connecting: boolean, tag: unknown): Op {
    this.started++;
    const rec: Op = {
      id: seq === 0 ? idBase : null, idBase, seq, startT: t, conn, op, connecting: connecting ? 1 : 0, sent: false,
      endT: 0, outcome: 'ok', status: null, bytes: null, error: null, sentT: null, firstByteT: null,
      tag, prev: this.openTail, next: null, open: true,
    };
    if (this.openTail) this.openTail.next = rec;
    else this.openHead = rec;
    this.openTail = rec;
    this.openCount++;
    this.counters?.opStarted(rec, conn, connecting, t);
    if (this.signalT === undefined) {
      if (this.detailed < this.limits.detailFirst) {
        this.detailed++;
        this.sendStart(rec);
      }
    } else if (this.afterDetailed < this.limits.afterSignalDetail) {
      this.afterDetailed++;
      this.sendStart(rec);
    }
    return rec;
  }

  // The end of an operation begun with begin() (its sentT / firstByteT set on the record by the
  // engine); ignored when it already ended.
  finishOp(rec: Op, outcome: OpOutcome, t: number, status: number | null, bytes: number | null, error: string | null): boolean {
    if (!rec.open) return false;
    rec.open = false;
    if (rec.prev) rec.prev.next = rec.next;
    else this.openHead = rec.next;
    if (rec.next) rec.next.prev = rec.prev;
    else this.openTail = rec.prev;
    rec.prev = rec.next = null;
    this.openCount--;
    this.ended++;
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
    // The end, on the start's record: it is what is held, folded or recorded from here on.
    rec.endT = t;
    rec.outcome = outcome;
    rec.status = status;
    rec.bytes = bytes;
    rec.error = error;
    this.counters?.opEnded(rec, outcome, status, t);
    if (rec.sent) {
      this.sendEnd(rec);
      return true;
    }
    const failed = outcome !== 'ok';
    const failureRoom = failed && this.failDetailed < this.limits.failureDetail;
    if (this.signalT === undefined) {
      if (this.detailed < this.limits.detailFirst) {
        this.detailed++;
        this.sendHeld(rec);
      } else if (failureRoom) {
        this.failDetailed++;
        this.sendHeld(rec);
      } else {
        this.held.push(rec);
      }
      return true;
    }
    if (rec.startT < this.signalT) {
      this.sendHeld(rec);
    } else if (this.afterDetailed < this.limits.afterSignalDetail) {
      this.afterDetailed++;
      this.sendHeld(rec);
    } else if (failureRoom) {
      this.failDetailed++;
      this.sendHeld(rec);
    } else {
      this.foldOp(rec, 'after');
    }
    return true;
  }

  // True while operation `id` is open.
  isOpen(id: string): boolean {
    return this.byId.has(id);
  }

  // Records an event that is never capped (opens, closes, errors).
  emit(event: WireEvent): void {
    this.items.push([2, event]);
    const c = this.counters;
    if (!c) return;
    if (event.type === 'conn:open') c.connOpened(event.conn, event.t);
    else if (event.type === 'conn:close') c.connClosed(event.conn, event.t);
    else if (event.type === 'ws:open') c.clientOpened(event.t);
    else if (event.type === 'ws:close') c.clientClosed(event.t);
  }

  // Records a received message (truncated to 200 characters), under the message cap.
  message(client: string, text: string, t: number = this.clock.now()): void {
    const m: HeldMessage = { client, t, data: text.length > 200 ? text.slice(0, 200) : text };
    this.counters?.message(t);
    if (this.signalT === undefined) {
      if (this.messagesDetailed < this.limits.messagesFirst) {
        this.messagesDetailed++;
        this.sendMessage(m);
      } else {
        this.heldMessages.push(m);
      }
      return;
    }
    if (this.messagesDetailed < this.limits.messagesFirst + this.limits.messagesAfterSignal) {
      this.messagesDetailed++;
      this.sendMessage(m);
      return;
    }
    let last = this.lastMessages.get(client);
    if (!last) this.lastMessages.set(client, (last = []));
    last.push(m);
    if (last.length > this.limits.lastMessagesPerClient) this.foldMessage(last.shift()!);
  }

  // Releases a client's kept last messages; call before recording its close.
  clientClosed(client: string): void {
    const last = this.lastMessages.get(client);
    if (!last) return;
    this.lastMessages.delete(client);
    for (const m of last) this.sendMessage(m);
  }

  // The first signal was sent at `t`: from now on everything is recorded one by one, and what was
  // held is released.
  noticeSignal(t: number): void {
    if (this.signalT !== undefined) return;
    this.closeWindow();
    this.signalT = t;
    this.sendOpenStarts();
    this.releaseHeld();
    for (const m of this.heldMessages) this.sendMessage(m);
    this.heldMessages = [];
    this.flush();
  }

  // Posts what has accumulated; also folds what was held for longer than `holdMs`.
  flush(): void {
    if (this.signalT === undefined) {
      this.sendOpenStarts();
      const horizon = this.clock.now() - this.limits.holdMs;
      while (this.held.oldestEndT() < horizon) this.held.shiftFold(this.foldBefore);
      let j = 0;
      while (j < this.heldMessages.length && this.heldMessages[j]!.t < horizon) this.foldMessage(this.heldMessages[j++]!);
      if (j) this.heldMessages = this.heldMessages.slice(j);
    }
    const now = this.clock.now();
    if (now - this.window.openedT >= this.limits.summaryMs) this.closeWindow(now);
    if (now - this.lastProgressT >= this.limits.progressMs) {
      const key = `${this.started}/${this.ended}`;
      if (key !== this.lastProgress) {
        this.lastProgress = key;
        this.lastProgressT = now;
        this.items.push([2, { type: 'load:progress', t: now, started: this.started, ended: this.ended, inFlight: this.openCount }]);
      }
    }
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.post(items);
  }

  // At the end: records the start of every operation still open (so checks see it unfinished),
  // releases everything held, posts, and stops the batch timer.
  finish(): void {
    this.sendOpenStarts();
    this.releaseHeld();
    for (const m of this.heldMessages) this.sendMessage(m);
    this.heldMessages = [];
    for (const client of [...this.lastMessages.keys()]) this.clientClosed(client);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.closeWindow();
    this.lastProgressT = -Infinity;
    this.flush();
  }

  // What was folded into counts.
  summary(): FoldSummary {
    return {
      before: this.fold.before,
      after: this.fold.after,
      messages: this.fold.messages,
      lateFolds: this.signalT !== undefined && this.maxFoldedEndT >= this.signalT ? 1 : 0,
    };
  }

  // Counters for load:stopped.
  stats(): Record<string, unknown> {
    return {
      started: this.started, ended: this.ended, inFlight: this.openCount, outcomes: { ...this.outcomes },
      folded: this.fold.before.ops + this.fold.after.ops, foldedMessages: this.fold.messages,
    };
  }

  // Records the start of every open operation not recorded yet.
  private sendOpenStarts(): void {
    for (let rec = this.openHead; rec; rec = rec.next) if (!rec.sent) this.sendStart(rec);
  }

  private sendStart(rec: Op | HeldFields): void {
    if ('sent' in rec) rec.sent = true;
    rec.id ??= rec.idBase + rec.seq;
    this.items.push([0, rec.id, rec.startT, rec.conn, rec.op, rec.connecting]);
  }

  private sendEnd(h: Op | HeldFields): void {
    this.items.push([1, h.id!, h.endT, h.outcome, h.status, h.bytes, h.error, h.sentT, h.firstByteT]);
  }

  private sendHeld(h: HeldFields): void {
    this.sendStart(h);
    this.sendEnd(h);
  }

  // Records every held operation one by one, oldest first, and empties the queue.
  private releaseHeld(): void {
    this.held.drain((h) => this.sendHeld(h));
  }

  private sendMessage(m: HeldMessage): void {
    this.items.push([2, { type: 'ws:message', t: m.t, client: m.client, data: m.data }]);
  }

  private foldOp(h: Op, which: 'before' | 'after'): void {
    this.foldCounts(which, h.outcome, h.bytes ?? 0, h.startT, h.endT);
  }

  // Folds a held operation (before the signal).
  private readonly foldBefore = (outcome: OpOutcome, bytes: number, startT: number, endT: number): void => this.foldCounts('before', outcome, bytes, startT, endT);

  private foldCounts(which: 'before' | 'after', outcome: OpOutcome, bytes: number, startT: number, endT: number): void {
    const c = this.fold[which];
    c.ops++;
    c.outcomes[outcome] = (c.outcomes[outcome] ?? 0) + 1;
    c.bytes += bytes;
    const w = this.window;
    w.ops++;
    w.outcomes[outcome] = (w.outcomes[outcome] ?? 0) + 1;
    w.bytes += bytes;
    if (startT < w.fromT) w.fromT = startT;
    if (endT > w.toT) w.toT = endT;
    if (endT > this.maxFoldedEndT) this.maxFoldedEndT = endT;
  }

  private foldMessage(m: HeldMessage): void {
    this.fold.messages++;
    const w = this.window;
    w.messages++;
    if (m.t < w.fromT) w.fromT = m.t;
    if (m.t > w.toT) w.toT = m.t;
  }

  // Writes the current fold window as a load:summary event (when it holds anything).
  private closeWindow(now: number = this.clock.now()): void {
    const w = this.window;
    this.window = emptyWindow(now);
    if (w.ops === 0 && w.messages === 0) return;
    this.items.push([2, { type: 'load:summary', t: now, fromT: w.fromT, toT: w.toT, ops: w.ops, outcomes: w.outcomes, bytes: w.bytes, messages: w.messages }]);
  }
}
