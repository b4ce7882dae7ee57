import t from 'tap';
import { judge } from '../../harness/check/index.js';
import type { CheckResult } from '../../harness/check/types.js';
import type { HistoryEvent } from '../../harness/history/events.js';
import { loadMetrics } from '../../harness/metrics/load.js';
import type { ExpectInput } from '../../harness/scenario/schema.js';
import { runSpec } from '../fixtures/load/drive.js';

// Synthetic histories: the checks are pure, so their verdicts are exact.
const D = 'http#0';
const sig = (t: number): HistoryEvent => ({ type: 'signal:sent', t, signal: 'SIGTERM', deliver: 'process', intendedT: t, sentT: t, step: 0, escalation: false, pids: [1] });
const op = (id: string, s: number, e: number | undefined, outcome: 'ok' | 'reset' | 'rejected' | 'refused' | 'timeout' | 'http-error' = 'ok', status?: number): HistoryEvent[] => [
  { type: 'request:start', t: s, driver: D, id },
  ...(e === undefined ? [] : [{ type: 'request:end', t: e, driver: D, id, outcome, ...(status ? { status } : {}) } as HistoryEvent]),
];
const check = (expect: ExpectInput, events: HistoryEvent[], name: string): CheckResult => {
  const r = judge(runSpec([], { noOrphans: false, ...expect }), [...events].sort((a, b) => a.t - b.t)).find((c) => c.name === name);
  if (!r) throw new Error(`${name} did not apply`);
  return r;
};

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

t.test('load metrics', async (t) => {
  const h: HistoryEvent[] = [
    { type: 'load:started', t: 0, driver: D, kind: 'http' },
    ...op('a', 500, 600), ...op('b', 950, 1040), ...op('c', 980, 1100, 'reset'), sig(1000), ...op('d', 1010, 1011, 'refused'),
    { type: 'load:summary', t: 200, driver: D, fromT: 0, toT: 100, ops: 50, outcomes: { ok: 50 }, bytes: 0, messages: 0 },
    { type: 'load:summary', t: 400, driver: D, fromT: 0, toT: 400, ops: 400, outcomes: { ok: 400 }, bytes: 0, messages: 0 },
    { type: 'probe:status', t: 990, driver: 'probe#1', url: 'u', status: 200, ms: 1 },
    { type: 'probe:status', t: 1020, driver: 'probe#1', url: 'u', status: 503, ms: 1 },
    { type: 'ws:close', t: 1200, driver: 'ws#2', client: 'x', code: 1001, reason: '', byClient: false },
  ].sort((a, b) => a.t - b.t);
  const m = loadMetrics(h);
  t.equal(m.drainMs, 100);
  t.equal(m.timeToNotReadyMs, 20);
  t.equal(m.lastCloseMs, 200);
  // Completed in [0, 1000): a (1), + 400 summarized (all of [0,400] inside) + 50 => 451 per second.
  t.equal(m.throughputBeforeSignal, 451);
  t.same(m.outcomes, { ok: 452, reset: 1, refused: 1 });
  t.same(m[`outcomes:${D}`], { ok: 452, reset: 1, refused: 1 });
  t.same(loadMetrics([sig(1)]), {});
});
