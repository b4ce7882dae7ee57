import { round3 } from '../clock.js';
import type { HistoryEvent, LoadSummaryEvent, OpOutcome } from './events.js';

// The driver name of the harness's own post-signal probes (see load/rejection-probe.ts).
export const PROBE_DRIVER = 'harness:new-work';

// One operation as the history tells it: an HTTP request, a WebSocket message awaiting its ack, a
// TCP command awaiting its reply. `unfinished` when it has a start and no end.
export interface Op {
  driver: string;
  id: string;
  conn?: string;
  op?: string;
  startT: number;
  endT?: number;
  outcome: OpOutcome | 'unfinished';
  status?: number;
  bytes?: number;
  error?: string;
  // Phases. `acceptedT`: when its connection was established (the start for an operation begun on
  // an open connection); undefined when the connection never was. `queued`: its connection was in
  // the listener's backlog at the first signal, never accept()ed (accept:snapshot). `sentT`,
  // `firstByteT`: request written, first byte of the answer (when the driver knows them).
  connecting?: boolean;
  acceptedT?: number;
  queued?: boolean;
  sentT?: number;
  firstByteT?: number;
}

// True when the server had accepted `op` before `t`: its connection was established before `t`
// and, by the kernel's view at the signal, not left in the listen backlog.
export function acceptedBefore(op: Op, t: number): boolean {
  return op.acceptedT !== undefined && op.acceptedT < t && op.queued !== true;
}

// How an operation the server never accepted before the signal stood: `in the listen backlog`
// (established by the kernel, never accept()ed), `still connecting` (no handshake yet).
export function notAcceptedHow(op: Op): 'in the listen backlog' | 'still connecting' {
  return op.queued ? 'in the listen backlog' : 'still connecting';
}

// The load part of a history: operations (in start order) and the summaries of folded ones.
export interface LoadView {
  ops: Op[];
  summaries: LoadSummaryEvent[];
}

// Pairs request:start / request:end per driver and id; keeps only `driver` when given (without it,
// every driver but the harness's own new-work probes, see load/rejection-probe.ts). Pure.
export function loadView(events: readonly HistoryEvent[], driver?: string): LoadView {
  const byKey = new Map<string, Op>();
  const ops: Op[] = [];
  const summaries: LoadSummaryEvent[] = [];
  const conns = new Map<string, { openT: number; closeT?: number; localPort?: number }>();
  let snapshot: { t: number; port: number; queued: Set<number>; seen: Set<number>; beforeT?: number } | undefined;
  let signalT: number | undefined;
  for (const e of events) {
    if (e.type === 'signal:sent' && !e.escalation && !e.error && signalT === undefined) signalT = e.t;
    if (e.type === 'accept:snapshot') {
      if (!snapshot && e.error === undefined) snapshot = { t: e.t, port: e.port, queued: new Set(e.queued), seen: new Set([...e.queued, ...e.accepted]), ...(e.beforeT !== undefined ? { beforeT: e.beforeT } : {}) };
      continue;
    }
    if (driver !== undefined && 'driver' in e && e.driver !== driver) continue;
    // The harness's own post-signal probes are new-work-rejected's evidence, not the load's.
    if (driver === undefined && 'driver' in e && e.driver === PROBE_DRIVER) continue;
    if (e.type === 'request:start') {
      const key = `${e.driver}\u0000${e.id}`;
      if (byKey.has(key)) continue;
      const op: Op = {
        driver: e.driver, id: e.id, startT: e.t, outcome: 'unfinished', ...(e.conn !== undefined ? { conn: e.conn } : {}), ...(e.op !== undefined ? { op: e.op } : {}),
        ...(e.connecting ? { connecting: true } : { acceptedT: e.t }),
      };
      byKey.set(key, op);
      ops.push(op);
    } else if (e.type === 'conn:open') {
      const key = `${e.driver}\u0000${e.conn}`;
      if (!conns.has(key)) conns.set(key, { openT: e.t, ...(e.localPort !== undefined ? { localPort: e.localPort } : {}) });
    } else if (e.type === 'conn:close') {
      const c = conns.get(`${e.driver}\u0000${e.conn}`);
      if (c && c.closeT === undefined) c.closeT = e.t;
    } else if (e.type === 'request:end') {
      const op = byKey.get(`${e.driver}\u0000${e.id}`);
      if (!op || op.endT !== undefined) continue;
      op.endT = e.t;
      op.outcome = e.outcome;
      if (e.status !== undefined) op.status = e.status;
      if (e.bytes !== undefined) op.bytes = e.bytes;
      if (e.error !== undefined) op.error = e.error;
      if (e.sentT !== undefined) op.sentT = e.sentT;
      if (e.firstByteT !== undefined) op.firstByteT = e.firstByteT;
    } else if (e.type === 'load:summary') {
      summaries.push(e);
    }
  }
  for (const op of ops) {
    const c = op.conn !== undefined ? conns.get(`${op.driver}\u0000${op.conn}`) : undefined;
    if (op.connecting && c) op.acceptedT = Math.max(op.startT, c.openT);
    // Open at the signal and listed as never accepted, or (established before the read made
    // before the signal) absent from the server's tables: in the backlog, whatever the client saw.
    const at = signalT ?? snapshot?.t ?? 0;
    if (c && snapshot && c.localPort !== undefined && c.openT <= at && (c.closeT === undefined || c.closeT >= at)) {
      const absent = snapshot.beforeT !== undefined && c.openT < snapshot.beforeT && !snapshot.seen.has(c.localPort);
      if (snapshot.queued.has(c.localPort) || absent) op.queued = true;
    }
  }
  ops.sort((a, b) => a.startT - b.startT);
  return { ops, summaries };
}

// True when the server answered `op` (a status or a first byte): it had accept()ed its connection.
export const answered = (op: Op): boolean => op.status !== undefined || op.firstByteT !== undefined || op.outcome === 'ok' || op.outcome === 'http-error' || op.outcome === 'rejected';
const connKey = (op: Op): string => `${op.driver}\u0000${op.conn}`;

// The connections (driver + conn) the server is known to have accepted: one that carried an answer.
export function acceptedConns(ops: readonly Op[]): Set<string> {
  return new Set(ops.filter((o) => o.conn !== undefined && answered(o)).map(connKey));
}

// True when the server had accepted `op`'s own connection: it answered `op`, or another operation
// on the same connection (a keep-alive connection reused). An operation without a connection id
// (the harness's probes: a fresh connection each) is judged by its own answer.
export function serverAccepted(op: Op, accepted: ReadonlySet<string>): boolean {
  return answered(op) || (op.conn !== undefined && accepted.has(connKey(op)));
}

// How long a new connection may have waited unanswered and still be taken to have raced the
// listener's close (see cutByClose). A real race is the last connect or two before the close:
// about 1 ms in the seed targets' histories; tens of ms when the target's event loop was busy.
export const CLOSE_RACE_MS = 100;

// The operations of `all` (load operations and probes started after the signal) reset or closed
// without an answer on a connection the server never accepted, where the next operation to start
// after it ended was refused (the listener had closed, or the target had exited), split in two:
// - `cut`: it waited at most CLOSE_RACE_MS unanswered (unansweredMs: from the moment its
//   connection was established and its request written, else from its start) to that end. It sat
//   in the accept queue (or was still connecting) when the listener closed: it raced the close,
//   it was not served and not dropped while the server still listened (excused by no-reset and
//   new-work-rejected);
// - `held`: it waited longer. The server had stopped accepting while it still listened, left the
//   connection hanging, then dropped it with its backlog (a failure: nothing raced).
// `accepted`: from acceptedConns over the load's operations.
export function closeCuts(all: readonly Op[], accepted: ReadonlySet<string>): { cut: Set<Op>; held: Set<Op> } {
  const sorted = [...all].sort((a, b) => a.startT - b.startT);
  const cut = new Set<Op>();
  const held = new Set<Op>();
  for (const o of sorted) {
    if ((o.outcome !== 'reset' && o.outcome !== 'closed') || o.endT === undefined || serverAccepted(o, accepted)) continue;
    if (nextAfter(sorted, o)?.outcome !== 'refused') continue;
    (unansweredMs(o) <= CLOSE_RACE_MS ? cut : held).add(o);
  }
  return { cut, held };
}

// The first operation of `sorted` (by start) other than `o` to start at or after `o` ended: a
// binary search (a failing server's thousands of resets would otherwise rescan the list each).
function nextAfter(sorted: readonly Op[], o: Op): Op | undefined {
  const endT = o.endT!;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.startT < endT) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo] === o ? sorted[lo + 1] : sorted[lo];
}

// How long an ended operation waited for an answer on an established connection: from its request's
// write (or its connection's establishment) to its end; from its start when neither is known. A
// connect stuck in SYN retries (a full backlog) does not wait here until its handshake completes.
export function unansweredMs(o: Op): number {
  return (o.endT ?? o.startT) - (o.sentT ?? o.acceptedT ?? o.startT);
}

// The operations of `all` cut by the listener's close (closeCuts' `cut`).
export function cutByClose(all: readonly Op[], accepted: ReadonlySet<string>): Set<Op> {
  return closeCuts(all, accepted).cut;
}

// Adds `n` of `outcome` into a tally.
export function tally(into: Record<string, number>, outcome: string, n = 1): void {
  into[outcome] = (into[outcome] ?? 0) + n;
}

// Rounds to the microsecond (three decimals of a millisecond): the clock's one rounding.
export const r3 = round3;

// An operation as a check's detail item, with offsets from the signal at `signalT`.
export function opDetail(op: Op, signalT: number | undefined): Record<string, unknown> {
  return {
    driver: op.driver, id: op.id, ...(op.op ? { op: op.op } : {}), ...(op.conn ? { conn: op.conn } : {}),
    outcome: op.outcome, ...(op.status !== undefined ? { status: op.status } : {}), ...(op.error ? { error: op.error } : {}),
    ...(signalT !== undefined
      ? { startOffsetMs: r3(op.startT - signalT), endOffsetMs: op.endT !== undefined ? r3(op.endT - signalT) : null }
      : { startT: op.startT, endT: op.endT ?? null }),
  };
}

// At most `max` detail items, with a last item counting the rest.
export function capDetails<T>(items: T[], max = 100): Array<T | { more: number }> {
  return items.length > max ? [...items.slice(0, max), { more: items.length - max }] : items;
}

// "+12.345 ms" / "-3.000 ms"
export function offsetText(ms: number): string {
  return `${ms >= 0 ? '+' : ''}${ms.toFixed(3)} ms`;
}
