// Load metrics (metrics/load.ts) on a synthetic history: exact values.
import t from 'tap';
import type { HistoryEvent } from '../../harness/history/events.js';
import { sortByTime } from '../../harness/history/writer.js';
import { loadMetrics } from '../../harness/metrics/load.js';
import { op as opOf, sig } from '../check/synthetic.js';

const D = 'http#0';
const op = (id: string, s: number, e: number | undefined, outcome: 'ok' | 'reset' | 'refused' = 'ok'): HistoryEvent[] => opOf(D, id, s, e, outcome);

t.test('load metrics', async (t) => {
  const h = sortByTime([
    { type: 'load:started', t: 0, driver: D, kind: 'http' },
    ...op('a', 500, 600), ...op('b', 950, 1040), ...op('c', 980, 1100, 'reset'), sig(1000), ...op('d', 1010, 1011, 'refused'),
    { type: 'load:summary', t: 200, driver: D, fromT: 0, toT: 100, ops: 50, outcomes: { ok: 50 }, bytes: 0, messages: 0 },
    { type: 'load:summary', t: 400, driver: D, fromT: 0, toT: 400, ops: 400, outcomes: { ok: 400 }, bytes: 0, messages: 0 },
    { type: 'probe:status', t: 990, driver: 'probe#1', url: 'u', status: 200, ms: 1 },
    { type: 'probe:status', t: 1020, driver: 'probe#1', url: 'u', status: 503, ms: 1 },
    { type: 'ws:close', t: 1200, driver: 'ws#2', client: 'x', code: 1001, reason: '', byClient: false },
  ] satisfies HistoryEvent[]);
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
