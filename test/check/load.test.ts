// The load checks (drain, new-work-rejected, no-reset, error-rate, readiness-flip, ws-close-codes,
// ws-goodbye) on synthetic histories: the checks are pure, so their verdicts are exact.
import t from 'tap';
import type { CheckResult } from '../../harness/check/types.js';
import type { HistoryEvent } from '../../harness/history/events.js';
import type { ExpectInput } from '../../harness/scenario/schema.js';
import { CLOSE_RACE_MS } from '../../harness/history/ops.js';
import { judgeOne, op as opOf, sig } from './synthetic.js';

const D = 'http#0';
const op = (id: string, s: number, e: number | undefined, outcome: 'ok' | 'reset' | 'rejected' | 'refused' | 'timeout' | 'http-error' = 'ok', status?: number): HistoryEvent[] =>
  opOf(D, id, s, e, outcome, status === undefined ? {} : { status });
const check = (expect: ExpectInput, events: HistoryEvent[], name: string): CheckResult => judgeOne(name, expect, events);

t.test('drain', async (t) => {
  const history = [...op('a', 10, 20), ...op('b', 90, 130), ...op('c', 95, 140, 'reset'), ...op('d', 99, undefined), sig(100), ...op('e', 110, 111, 'refused')];
  const r = check({ drain: true }, history, 'drain');
  t.equal(r.status, 'fail');
  t.same(r.actual, { startedBeforeSignal: 4, inFlightAtSignal: 3, outcomes: { ok: 2, reset: 1, unfinished: 1 }, failed: 2, driverGaveUp: 0, notAccepted: { count: 0, outcomes: {} } });
  t.same(r.details, [
    { driver: D, id: 'c', outcome: 'reset', startOffsetMs: -5, endOffsetMs: 40 },
    { driver: D, id: 'd', outcome: 'unfinished', startOffsetMs: -1, endOffsetMs: null },
  ]);
  t.equal(check({ drain: true }, [...op('a', 10, 20), ...op('b', 90, 130), sig(100)], 'drain').status, 'pass');
  t.equal(check({ drain: true }, op('a', 10, 20), 'drain').status, 'error', 'no signal');
  t.equal(check({ drain: true }, [sig(100), ...op('a', 110, 120)], 'drain').status, 'error', 'nothing before the signal');
  const idle = check({ drain: true }, [...op('a', 10, 20), sig(100)], 'drain');
  t.equal(idle.status, 'error', 'nothing in flight at the signal: draining not exercised');
  t.match(idle.message, /inFlightAtLeast/);
  const folded: HistoryEvent = { type: 'load:summary', t: 60, driver: D, fromT: 1, toT: 50, ops: 100, outcomes: { ok: 98, 'http-error': 2 }, bytes: 0, messages: 0 };
  const withFold = check({ drain: true }, [folded, ...op('b', 90, 130), sig(100)], 'drain');
  t.equal(withFold.status, 'fail', 'summarized failures count');
  t.same(withFold.details, [{ driver: D, outcome: 'http-error', count: 2, summarized: true, fromOffsetMs: -99, toOffsetMs: -50 }]);
});

t.test('new-work-rejected', async (t) => {
  const base = [...op('a', 90, 120), sig(100)];
  t.equal(check({ newWorkRejected: true }, [...base, ...op('b', 110, 111, 'rejected', 503), ...op('c', 200, 201, 'refused')], 'new-work-rejected').status, 'pass');
  t.equal(check({ newWorkRejected: true }, [...base, ...op('b', 120, 121, 'ok', 200), ...op('c', 200, 201, 'refused'), ...op('d', 230, 231, 'refused')], 'new-work-rejected').status, 'pass', 'served within the 50 ms grace');
  const one = check({ newWorkRejected: true }, [...base, ...op('b', 120, 121, 'ok', 200), ...op('c', 200, 201, 'refused')], 'new-work-rejected');
  t.equal(one.status, 'error', 'one operation turned away is not evidence enough');
  t.match(one.message, /only 1 operation was turned away after SIGTERM \(at least 2 are needed\)/);
  const raced = check({ newWorkRejected: true }, [...base, ...op('b', 160, 170, 'reset'), ...op('c', 180, 181, 'refused'), ...op('d', 200, 201, 'refused'), ...op('e', 210, 215, 'reset'), ...op('f', 220, 221, 'rejected', 503)], 'new-work-rejected');
  t.equal(raced.status, 'fail', 'a reset followed by a refused connect raced the close; one followed by a 503 did not');
  t.match(raced.actual, { unclean: 1, cutByClose: 1, turnedAway: 3 });
  const served = check({ newWorkRejected: { graceMs: 10 } }, [...base, ...op('b', 120, 121, 'ok', 200)], 'new-work-rejected');
  t.equal(served.status, 'fail', 'served after the grace');
  t.match(served.message, /served 1/);
  const reset = check({ newWorkRejected: true }, [...base, ...op('b', 101, 130, 'reset'), ...op('c', 102, undefined)], 'new-work-rejected');
  t.equal(reset.status, 'fail');
  t.match(reset.message, /reset 1, unfinished 1/);
  t.equal(check({ newWorkRejected: true }, base, 'new-work-rejected').status, 'error', 'nothing started after the signal');
});

t.test('no-reset and error-rate', async (t) => {
  const h = [...op('a', 10, 20), ...op('b', 90, 130, 'reset'), sig(100), ...op('c', 110, 111, 'refused'), ...op('d', 120, 121, 'rejected', 503)];
  const nr = check({ noReset: true }, h, 'no-reset');
  t.equal(nr.status, 'fail');
  t.same(nr.actual, { resets: 1, operations: 4, connectionResets: 0 });
  t.equal(check({ noReset: true }, op('a', 1, 2), 'no-reset').status, 'pass');
  t.equal(check({ noReset: true }, [], 'no-reset').status, 'error');
  const connReset: HistoryEvent = { type: 'conn:close', t: 5, driver: 'tcp#0', conn: 'c1', how: 'reset', error: 'ECONNRESET' };
  t.equal(check({ noReset: true }, [connReset], 'no-reset').status, 'fail', 'a connection reset counts');
  // A fresh connection opened after the signal, never answered, reset as the listener closed (the
  // next connect was refused): the kernel reset it in the accept queue; reported, not counted.
  const ka = [...opOf(D, 'a', 10, 20, 'ok', { status: 200, conn: 's1' }), sig(100)];
  const fresh = (outcomeNext: 'refused' | 'rejected'): HistoryEvent[] => [
    ...ka,
    ...opOf(D, 'r48', 200, 202, 'reset', { conn: 's8', connecting: true }),
    { type: 'conn:open', t: 201, driver: D, conn: 's8' },
    { type: 'conn:close', t: 202.2, driver: D, conn: 's8', how: 'reset', error: 'read ECONNRESET' },
    ...(outcomeNext === 'refused' ? opOf(D, 'r49', 223, 224, 'refused') : opOf(D, 'r49', 223, 224, 'rejected', { status: 503, conn: 's9' })),
  ];
  const racedClose = check({ noReset: true }, fresh('refused'), 'no-reset');
  t.equal(racedClose.status, 'pass', 'a new connection reset as the listener closed is not a reset of served work');
  t.same(racedClose.actual, { resets: 0, operations: 3, connectionResets: 0, racedListenerClose: 1 });
  t.match(racedClose.message, /not counted: 1 new connection\(s\) reset as the listener closed, never accepted \(r48: see new-work-rejected\)/);
  const stillListening = check({ noReset: true }, fresh('rejected'), 'no-reset');
  t.equal(stillListening.status, 'fail', 'the server still answered after it: the reset was not the close');
  t.same(stillListening.actual, { resets: 2, operations: 3, connectionResets: 1 }, 'the operation and its connection');
  const reused = [...ka, ...opOf(D, 'r48', 200, 202, 'reset', { conn: 's1' }), ...opOf(D, 'r49', 223, 224, 'refused')];
  t.equal(check({ noReset: true }, reused, 'no-reset').status, 'fail', 'a keep-alive connection the server had answered on: always counted');
  const beforeSignal = [...opOf(D, 'a', 10, 20, 'ok', { status: 200, conn: 's1' }), ...opOf(D, 'b', 95, 150, 'reset', { conn: 's2', connecting: true }), sig(100), ...opOf(D, 'c', 160, 161, 'refused')];
  t.equal(check({ noReset: true }, beforeSignal, 'no-reset').status, 'fail', 'a connect made before the signal and reset at the close is counted (the backlog drop)');
  // Clean rejections after the signal are not failures; the reset is 1 of 4 = 25 %.
  const er = check({ errorRate: { maxPct: 25 } }, h, 'error-rate');
  t.equal(er.status, 'pass');
  t.same(er.actual, { pct: 25, failed: 1, total: 4, outcomes: { ok: 1, reset: 1, refused: 1, rejected: 1 } });
  t.equal(check({ errorRate: { maxPct: 24.9 } }, h, 'error-rate').status, 'fail');
  t.equal(check({ errorRate: { maxPct: 0 } }, [...op('a', 1, 2, 'rejected', 503)], 'error-rate').status, 'fail', 'a 503 before any signal is a failure');
  t.equal(check({ errorRate: { maxPct: 5 } }, [], 'error-rate').status, 'error');
});

t.test('ws-close-codes and ws-goodbye', async (t) => {
  const W = 'ws#0';
  const open = (c: string, t: number): HistoryEvent => ({ type: 'ws:open', t, driver: W, client: c });
  const close = (c: string, t: number, code: number, byClient = false): HistoryEvent => ({ type: 'ws:close', t, driver: W, client: c, code, reason: '', byClient });
  const msg = (c: string, t: number, data: string): HistoryEvent => ({ type: 'ws:message', t, driver: W, client: c, data });
  const h = [open('a', 1), open('b', 2), open('c', 3), sig(100), msg('a', 101, 'bye'), msg('b', 50, 'bye'), close('a', 110, 1001), close('b', 111, 1006), close('c', 112, 1000, true)];
  const codes = check({ wsCloseCodes: {} }, h, 'ws-close-codes');
  t.equal(codes.status, 'fail');
  t.same(codes.actual, { clients: 3, codes: { 1001: 1, 1006: 1, 'closed by the harness': 1 } });
  t.same(codes.details, [
    { driver: W, client: 'b', code: 1006, reason: '', problem: 'abnormal closure: no close frame', offsetMs: 11 },
    { driver: W, client: 'c', code: 1000, reason: '', problem: 'the server never closed it; the harness did', offsetMs: 12 },
  ]);
  t.equal(check({ wsCloseCodes: { codes: [1001, 1006, 1000] } }, h.filter((e) => !(e.type === 'ws:close' && e.byClient)), 'ws-close-codes').status, 'fail', 'a client never closed');
  t.equal(check({ wsCloseCodes: {} }, [sig(1)], 'ws-close-codes').status, 'error');
  const bye = check({ wsGoodbye: { pattern: '^bye$' } }, h, 'ws-goodbye');
  t.equal(bye.status, 'fail', 'b got its bye before the signal, c none');
  t.same(bye.actual, { clients: 3, gotGoodbye: 1 });
  t.equal(check({ wsGoodbye: { pattern: 'bye' } }, [open('a', 1)], 'ws-goodbye').status, 'error', 'no signal');
});


// The cut-by-the-close rule excuses a reset only on a connection the server never accepted.
// Guards: new-work-rejected excusing a reset on an already-accepted keep-alive connection (the seed
// variant broken-keepalive-reset missed it about 1 in 250 runs). Checked: with serverAccepted()
// in new-work-rejected.ts returning false, the keep-alive case passed instead of failing.
t.test('new-work-rejected: a reset on an accepted keep-alive connection counts; a connect never accepted, cut by the close, is excused', async (t) => {
  const nwr = { newWorkRejected: { driver: D } };
  const conn = (c: string, at: number, localPort: number): HistoryEvent => ({ type: 'conn:open', t: at, driver: D, conn: c, localPort });
  // A keep-alive connection k1 opened and answered before the signal; after it, a request on it
  // is answered 503 and the next one on it is reset, and then the port is closed (refused).
  const keepAlive: HistoryEvent[] = [
    conn('k1', 5, 40001), ...opOf(D, 'a', 5, 20, 'ok', { conn: 'k1', connecting: true, status: 200, firstByteT: 19 }), sig(100),
    ...opOf(D, 'b', 110, 112, 'rejected', { conn: 'k1', status: 503, firstByteT: 111 }),
    ...opOf(D, 'c', 120, 130, 'reset', { conn: 'k1' }),
    ...opOf(D, 'd', 131, 132, 'refused', { conn: 'n1', connecting: true }),
    ...opOf(D, 'e', 140, 141, 'refused', { conn: 'n2', connecting: true }),
  ];
  const counted = judgeOne('new-work-rejected', nwr, keepAlive);
  t.equal(counted.status, 'fail', counted.message);
  t.match(counted.actual, { unclean: 1, cutByClose: 0, turnedAway: 3 });
  t.match(counted.message, /^1 of 4 operations of new work were not rejected cleanly \(reset 1\)/);
  t.match(counted.details, [{ id: 'c', outcome: 'reset', conn: 'k1', startOffsetMs: 20, endOffsetMs: 30 }]);
  // A fresh connection made after the signal, established (in the accept queue) and never
  // answered, reset when the listener closed, then refused: it raced the close, excused.
  const neverAccepted: HistoryEvent[] = [
    conn('k1', 5, 40001), ...opOf(D, 'a', 5, 20, 'ok', { conn: 'k1', connecting: true, status: 200, firstByteT: 19 }), sig(100),
    ...opOf(D, 'b', 110, 112, 'rejected', { conn: 'k1', status: 503, firstByteT: 111 }),
    conn('q1', 121, 40002), ...opOf(D, 'c', 120, 130, 'reset', { conn: 'q1', connecting: true }),
    ...opOf(D, 'd', 131, 132, 'refused', { conn: 'n1', connecting: true }),
    ...opOf(D, 'e', 140, 141, 'refused', { conn: 'n2', connecting: true }),
  ];
  const excused = judgeOne('new-work-rejected', nwr, neverAccepted);
  t.equal(excused.status, 'pass', excused.message);
  t.match(excused.actual, { unclean: 0, cutByClose: 1, turnedAway: 3, load: { outcomes: { rejected: 1, 'cut by the close (reset)': 1, refused: 2 } } });
  t.match(excused.message, /^new work after SIGTERM was turned away: 3 operations refused or rejected/);
  // The same reset, not followed by a refused connect, is never excused.
  const notCut = judgeOne('new-work-rejected', nwr, neverAccepted.filter((e) => !('id' in e && (e.id === 'd' || e.id === 'e'))));
  t.equal(notCut.status, 'fail', notCut.message);
  // The bound of that race (CLOSE_RACE_MS): reset at most that long after its start, excused; any
  // longer and the server had left it waiting unaccepted, then dropped it: counted by both checks.
  const waitedFor = (ms: number, connectMs = 1): HistoryEvent[] => [
    conn('k1', 5, 40001), ...opOf(D, 'a', 5, 20, 'ok', { conn: 'k1', connecting: true, status: 200, firstByteT: 19 }), sig(100),
    ...opOf(D, 'b', 110, 112, 'rejected', { conn: 'k1', status: 503, firstByteT: 111 }),
    conn('q1', 120 + connectMs, 40002), ...opOf(D, 'c', 120, 120 + connectMs + ms, 'reset', { conn: 'q1', connecting: true }),
    ...opOf(D, 'd', 121 + connectMs + ms, 122 + connectMs + ms, 'refused', { conn: 'n1', connecting: true }),
    ...opOf(D, 'e', 130 + connectMs + ms, 131 + connectMs + ms, 'refused', { conn: 'n2', connecting: true }),
  ];
  const atBound = judgeOne('new-work-rejected', nwr, waitedFor(CLOSE_RACE_MS));
  t.equal(atBound.status, 'pass', atBound.message);
  t.match(atBound.actual, { unclean: 0, cutByClose: 1 });
  t.equal(judgeOne('no-reset', { noReset: true }, waitedFor(CLOSE_RACE_MS)).status, 'pass', 'no-reset excuses it too');
  const heldLong = judgeOne('new-work-rejected', nwr, waitedFor(CLOSE_RACE_MS + 1));
  t.equal(heldLong.status, 'fail', heldLong.message);
  t.match(heldLong.actual, { unclean: 1, cutByClose: 0, heldThenDropped: 1 });
  t.match(heldLong.message, new RegExp(`^1 of 4 operations of new work were not rejected cleanly \\(unanswered over ${CLOSE_RACE_MS} ms \\(the server had stopped accepting\\), then reset at the close 1\\)`));
  t.match(heldLong.details, [{ id: 'c', outcome: 'reset', heldUnansweredMs: CLOSE_RACE_MS + 1 }]);
  const heldReset = judgeOne('no-reset', { noReset: true }, waitedFor(CLOSE_RACE_MS + 1));
  t.equal(heldReset.status, 'fail', 'no-reset counts it');
  t.match(heldReset.actual, { resets: 1 });
  // The wait counts from the connection's establishment: a connect that spent 1 s in SYN retries
  // (a full backlog) and was reset 5 ms after its handshake raced the close.
  const synRetry = judgeOne('new-work-rejected', nwr, waitedFor(5, 1_000));
  t.equal(synRetry.status, 'pass', synRetry.message);
  t.match(synRetry.actual, { unclean: 0, cutByClose: 1 });
  // A connect still connecting at the signal, established after it: reset soon after its
  // handshake it raced the close (not judged); left waiting unanswered longer, it sat in the
  // backlog and was dropped.
  const connectingAtSignal = (ms: number): HistoryEvent[] => [
    conn('k1', 5, 40001), ...opOf(D, 'a', 5, 20, 'ok', { conn: 'k1', connecting: true, status: 200, firstByteT: 19 }),
    ...opOf(D, 'c', 95, 105 + ms, 'reset', { conn: 'q2', connecting: true }), sig(100), conn('q2', 105, 40003),
    ...opOf(D, 'b', 110, 112, 'rejected', { conn: 'k1', status: 503, firstByteT: 111 }),
    ...opOf(D, 'd', 106 + ms, 107 + ms, 'refused', { conn: 'n1', connecting: true }),
    ...opOf(D, 'e', 115 + ms, 116 + ms, 'refused', { conn: 'n2', connecting: true }),
  ];
  const racedBefore = judgeOne('new-work-rejected', nwr, connectingAtSignal(20));
  t.equal(racedBefore.status, 'pass', racedBefore.message);
  t.match(racedBefore.message, /still connecting: raced the close, not judged \(reset\) 1/);
  const heldBefore = judgeOne('new-work-rejected', nwr, connectingAtSignal(CLOSE_RACE_MS + 1));
  t.equal(heldBefore.status, 'fail', heldBefore.message);
  t.match(heldBefore.message, /^1 of 4 operations of new work were not rejected cleanly \(dropped from the listen backlog \(never accepted: reset\) 1\)/);
  t.match(heldBefore.details, [{ id: 'c', droppedFromBacklog: 'still connecting' }]);
  // A response that began and was cut (a status, then the reset) had an accepted connection too.
  const cutMidAnswer = judgeOne('new-work-rejected', nwr, [
    ...opOf(D, 'a', 5, 20), sig(100), ...opOf(D, 'b', 110, 112, 'rejected', { status: 503 }),
    ...opOf(D, 'c', 120, 130, 'reset', { conn: 'f1', connecting: true, status: 200, firstByteT: 125 }),
    ...opOf(D, 'd', 131, 132, 'refused'), ...opOf(D, 'e', 140, 141, 'refused'),
  ]);
  t.equal(cutMidAnswer.status, 'fail', cutMidAnswer.message);
  t.match(cutMidAnswer.actual, { unclean: 1, cutByClose: 0 });
});

t.test('readiness-flip', async (t) => {
  const P = 'ready';
  const probe = (at: number, status: number | null, error?: string): HistoryEvent => ({ type: 'probe:status', t: at, driver: P, url: '/readyz', status, ...(error ? { error } : {}), ms: 1 });
  const rf = (events: HistoryEvent[], withinMs = 100): CheckResult => judgeOne('readiness-flip', { readinessFlip: { withinMs, driver: P } }, events);
  const ok = rf([probe(50, 200), probe(90, 200), sig(100), probe(125, 200), probe(150, 503), probe(300, null, 'ECONNREFUSED')]);
  t.equal(ok.status, 'pass', ok.message);
  t.same(ok.actual, { notReadyAfterMs: 50, status: 503, listenerClosedAfterMs: 200, lastReadyAfterMs: 25, probesAfterSignal: 3 });
  t.equal(ok.message, 'readiness turned 503 +50.000 ms after SIGTERM, the listener closed +200.000 ms');
  const late = rf([probe(50, 200), sig(100), probe(250, 503)]);
  t.equal(late.status, 'fail');
  t.equal(late.message, 'readiness turned 503 +150.000 ms after SIGTERM, later than 100 ms');
  const closedFirst = rf([probe(50, 200), sig(100), probe(120, null, 'ECONNREFUSED')]);
  t.equal(closedFirst.status, 'fail');
  t.match(closedFirst.message, /^the probe never answered not-ready: the listener closed \(refused \+20\.000 ms after SIGTERM\)/);
  const never = rf([probe(50, 200), sig(100), probe(150, 200)]);
  t.equal(never.status, 'fail');
  t.match(never.message, /^readiness never turned non-2xx after SIGTERM \(1 probes/);
  // No data: no signal, no probe answer, never seen ready.
  const noSignal = rf([probe(50, 200), probe(150, 503)]);
  t.equal(noSignal.status, 'error');
  t.equal(noSignal.message, 'no signal was sent');
  const noProbe = rf([sig(100)]);
  t.equal(noProbe.status, 'error');
  t.match(noProbe.message, /^no probe answer was recorded/);
  const neverReady = rf([probe(50, 503), sig(100), probe(150, 503)]);
  t.equal(neverReady.status, 'error');
  t.match(neverReady.message, /^the probe never answered 2xx before SIGTERM \(last: 503\), so it was never seen ready/);
});

t.test('the pass and no-data messages of the load checks', async (t) => {
  const W = 'ws#0';
  const ws = (c: string, open: number, bye: number | undefined, close: number, code = 1001): HistoryEvent[] => [
    { type: 'ws:open', t: open, driver: W, client: c },
    ...(bye === undefined ? [] : [{ type: 'ws:message', t: bye, driver: W, client: c, data: 'bye' } as HistoryEvent]),
    { type: 'ws:close', t: close, driver: W, client: c, code, reason: '', byClient: false },
  ];
  const good = [...ws('a', 1, 101, 110), ...ws('b', 2, 102, 111), sig(100)];
  const codes = check({ wsCloseCodes: {} }, good, 'ws-close-codes');
  t.equal(codes.status, 'pass');
  t.equal(codes.message, 'all 2 clients closed with 1001 x2');
  const bye = check({ wsGoodbye: { pattern: '^bye$' } }, good, 'ws-goodbye');
  t.equal(bye.status, 'pass');
  t.equal(bye.message, 'all 2 clients got a goodbye matching /^bye$/, the last 2 ms after SIGTERM');
  const drained = check({ drain: true }, [...op('a', 10, 20), ...op('b', 90, 130), sig(100)], 'drain');
  t.equal(drained.message, 'all 1 operations in flight at SIGTERM completed ok, the last +30.000 ms after it (2 started before it in all)');
  const nr = check({ noReset: true }, op('a', 1, 2), 'no-reset');
  t.equal(nr.message, 'no reset in 1 operations and 0 connection closes');
  const er = check({ errorRate: { maxPct: 0 } }, op('a', 1, 2), 'error-rate');
  t.equal(er.status, 'pass');
  t.equal(er.message, '0 of 1 operations failed (0 %, limit 0 %): ok 1');

  const none = (r: CheckResult, message: string | RegExp): void => {
    t.equal(r.status, 'error', `${r.name}: no data is an error`);
    if (typeof message === 'string') t.equal(r.message, message);
    else t.match(r.message, message);
  };
  none(check({ drain: true }, op('a', 10, 20), 'drain'), 'no signal was sent, so nothing had to drain');
  none(check({ drain: true }, [sig(100), ...op('a', 110, 120)], 'drain'), /^no operation the server had accepted started before SIGTERM/);
  none(check({ newWorkRejected: true }, op('a', 10, 20), 'new-work-rejected'), 'no signal was sent');
  none(check({ newWorkRejected: true }, [...op('a', 90, 120), sig(100)], 'new-work-rejected'), /only 0 operations were turned away after SIGTERM .*nothing started after the signal, the harness could not probe \(no port/);
  none(check({ noReset: true }, [], 'no-reset'), 'the history holds no operation and no connection');
  none(check({ errorRate: { maxPct: 5 } }, [sig(1)], 'error-rate'), 'no operation was recorded');
  none(check({ wsCloseCodes: {} }, [sig(1)], 'ws-close-codes'), 'no WebSocket client ever connected');
  none(check({ wsGoodbye: { pattern: 'bye' } }, [sig(1)], 'ws-goodbye'), 'no WebSocket client ever connected');
  none(check({ wsGoodbye: { pattern: 'bye' } }, ws('a', 1, 2, 3), 'ws-goodbye'), 'no signal was sent');
});
