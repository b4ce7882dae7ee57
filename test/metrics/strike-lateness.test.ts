// Every step of a signal plan is timed: the metrics give each step's lateness and the worst one
// (strikeLatenessMs stays the first step's). Pure over a history, so exact.
import t from 'tap';
import type { HistoryEvent } from '../../harness/history/events.js';
import { computeMetrics } from '../../harness/metrics/core.js';

const sent = (step: number, intendedT: number, sentT: number, escalation = false): HistoryEvent => ({
  type: 'signal:sent', t: sentT, signal: escalation ? 'SIGKILL' : 'SIGINT', deliver: escalation ? 'tree' : 'group', intendedT, sentT, step, escalation, pids: [-1],
});

t.test('a double SIGINT and its escalation: each step and the worst', async (t) => {
  const m = computeMetrics([sent(0, 100, 100.59), sent(1, 400.59, 407.99), sent(2, 10_100.59, 10_101.1, true)]);
  t.equal(m.strikeLatenessMs, 0.59, 'the first step, as before');
  t.same(m.strikeLatenessByStepMs, { 0: 0.59, 1: 7.4, 2: 0.51 });
  t.equal(m.strikeLatenessWorstMs, 7.4, 'the second step was the late one');
});

t.test('no signal sent: no lateness figures', async (t) => {
  const m = computeMetrics([]);
  t.equal(m.strikeLatenessWorstMs, undefined);
  t.equal(m.strikeLatenessByStepMs, undefined);
});
