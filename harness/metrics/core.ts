import { firstOf } from '../history/events.js';
import type { HistoryEvent } from '../history/events.js';
import { firstSignal, lastSignal, targetExit } from '../history/query.js';
import type { RunMetrics } from './types.js';
import { loadMetrics } from './load.js';
import { round3 } from '../clock.js';

const r3 = round3;

// The run's metrics, a pure function of its history.
export function computeMetrics(events: readonly HistoryEvent[]): RunMetrics {
  const m: RunMetrics = {};
  const spawned = firstOf(events, 'target:spawned');
  const ready = firstOf(events, 'target:ready');
  const first = firstSignal(events);
  const last = lastSignal(events);
  const exit = targetExit(events);
  if (ready) m.readyMs = r3(ready.readyMs);
  if (first) m.strikeLatenessMs = r3(first.sentT - first.intendedT);
  // Every step's lateness (sent - intended, by step number; the escalation is the step after the
  // plan's last), and the worst of them.
  const sent = events.filter((e): e is Extract<HistoryEvent, { type: 'signal:sent' }> => e.type === 'signal:sent' && !e.error);
  if (sent.length) {
    const bySteps: Record<string, number> = {};
    for (const e of sent) bySteps[String(e.step)] ??= r3(e.sentT - e.intendedT);
    m.strikeLatenessByStepMs = bySteps;
    m.strikeLatenessWorstMs = Math.max(...Object.values(bySteps));
  }
  if (first && exit && !exit.byHarness) {
    m.timeToExitMs = r3(exit.t - first.t);
    if (last) m.timeToExitFromLastSignalMs = r3(exit.t - last.t);
  }
  if (spawned && exit) m.lifetimeMs = r3(exit.t - spawned.t);
  // Output lines the bounded buffer dropped (log checks are unproven when this is not 0).
  const dropped = events.reduce((n, e) => n + (e.type === 'log:dropped' ? e.dropped : 0), 0);
  if (dropped) m.logLinesDropped = dropped;
  return { ...m, ...loadMetrics(events) };
}
