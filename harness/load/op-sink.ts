import type { Clock } from '../clock.js';
import type { OpOutcome } from '../history/events.js';
import type { CounterWriter } from './counters.js';
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

interface OpenOp { id: string; t: number; conn: string | null; op: string | null; connecting: 0 | 1; sent: boolean }
interface HeldOp {
  id: string; startT: number; endT: number; conn: string | null; op: string | null; connecting: 0 | 1;
  outcome: OpOutcome; status: number | null; bytes: number | null; error: string | null; sentT: number | null; firstByteT: number | null;
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
  private readonly open = new Map<string, OpenOp>();
  private held: HeldOp[] = [];
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
    return this.open.size;
  }

  // Records the start of operation `id` (unique within the driver) on connection `conn`;
  // `connecting` when that connection is not yet established (accepted at its conn:open).
  start(id: string, conn?: string, op?: string, t: number = this.clock.now(), connecting = false): void {
    this.started++;
    const rec: OpenOp = { id, t, conn: conn ?? null, op: op ?? null, connecting: connecting ? 1 : 0, sent: false };
    this.open.set(id, rec);
    this.counters?.opStarted(id, rec.conn, connecting, t);
    if (this.signalT === undefined) {
      if (this.detailed < this.limits.detailFirst) {
        this.detailed++;
        this.sendStart(rec);
      }
    } else if (this.afterDetailed < this.limits.afterSignalDetail) {
      this.afterDetailed++;
      this.sendStart(rec);
    }
  }

  // Records the end of operation `id`; ignored when it is not open (already ended).
  end(id: string, outcome: OpOutcome, info: EndInfo = {}, t: number = this.clock.now()): boolean {
    const rec = this.open.get(id);
    if (!rec) return false;
    this.open.delete(id);
    this.ended++;
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
    const status = info.status ?? null;
    const bytes = info.bytes ?? null;
    const error = info.error ?? null;
    const sentT = info.sentT ?? null;
    const firstByteT = info.firstByteT ?? null;
    this.counters?.opEnded(id, outcome, status, t);
    if (rec.sent) {
      this.items.push([1, id, t, outcome, status, bytes, error, sentT, firstByteT]);
      return true;
    }
    const failed = outcome !== 'ok';
    const failureRoom = failed && this.failDetailed < this.limits.failureDetail;
    const held: HeldOp = { id, startT: rec.t, endT: t, conn: rec.conn, op: rec.op, connecting: rec.connecting, outcome, status, bytes, error, sentT, firstByteT };
    if (this.signalT === undefined) {
      if (this.detailed < this.limits.detailFirst) {
        this.detailed++;
        this.sendHeld(held);
      } else if (failureRoom) {
        this.failDetailed++;
        this.sendHeld(held);
      } else {
        this.held.push(held);
      }
      return true;
    }
    if (rec.t < this.signalT) {
      this.sendHeld(held);
    } else if (this.afterDetailed < this.limits.afterSignalDetail) {
      this.afterDetailed++;
      this.sendHeld(held);
    } else if (failureRoom) {
      this.failDetailed++;
      this.sendHeld(held);
    } else {
      this.foldOp(held, 'after');
    }
    return true;
  }

  // True while operation `id` is open.
  isOpen(id: string): boolean {
    return this.open.has(id);
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
    for (const rec of this.open.values()) if (!rec.sent) this.sendStart(rec);
    for (const h of this.held) this.sendHeld(h);
    this.held = [];
    for (const m of this.heldMessages) this.sendMessage(m);
    this.heldMessages = [];
    this.flush();
  }

  // Posts what has accumulated; also folds what was held for longer than `holdMs`.
  flush(): void {
    if (this.signalT === undefined) {
      for (const rec of this.open.values()) if (!rec.sent) this.sendStart(rec);
      const horizon = this.clock.now() - this.limits.holdMs;
      let i = 0;
      while (i < this.held.length && this.held[i]!.endT < horizon) this.foldOp(this.held[i++]!, 'before');
      if (i) this.held = this.held.slice(i);
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
        this.items.push([2, { type: 'load:progress', t: now, started: this.started, ended: this.ended, inFlight: this.open.size }]);
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
    for (const rec of this.open.values()) if (!rec.sent) this.sendStart(rec);
    for (const h of this.held) this.sendHeld(h);
    this.held = [];
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
      started: this.started, ended: this.ended, inFlight: this.open.size, outcomes: { ...this.outcomes },
      folded: this.fold.before.ops + this.fold.after.ops, foldedMessages: this.fold.messages,
    };
  }

  private sendStart(rec: OpenOp): void {
    rec.sent = true;
    this.items.push([0, rec.id, rec.t, rec.conn, rec.op, rec.connecting]);
  }

  private sendHeld(h: HeldOp): void {
    this.items.push([0, h.id, h.startT, h.conn, h.op, h.connecting]);
    this.items.push([1, h.id, h.endT, h.outcome, h.status, h.bytes, h.error, h.sentT, h.firstByteT]);
  }

  private sendMessage(m: HeldMessage): void {
    this.items.push([2, { type: 'ws:message', t: m.t, client: m.client, data: m.data }]);
  }

  private foldOp(h: HeldOp, which: 'before' | 'after'): void {
    const c = this.fold[which];
    c.ops++;
    c.outcomes[h.outcome] = (c.outcomes[h.outcome] ?? 0) + 1;
    c.bytes += h.bytes ?? 0;
    const w = this.window;
    w.ops++;
    w.outcomes[h.outcome] = (w.outcomes[h.outcome] ?? 0) + 1;
    w.bytes += h.bytes ?? 0;
    if (h.startT < w.fromT) w.fromT = h.startT;
    if (h.endT > w.toT) w.toT = h.endT;
    if (h.endT > this.maxFoldedEndT) this.maxFoldedEndT = h.endT;
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
