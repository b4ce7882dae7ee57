import { eventsOf, type HistoryEvent } from '../history/events.js';
import { loadView, r3, tally } from '../history/ops.js';
import { is2xx } from '../history/query.js';
import type { RunMetrics } from './types.js';

// Load metrics of a run; empty when the run had no load. Times are ms from the first planned
// signal (not an escalation):
// - drainMs: to the end of the last operation that was in flight at the signal (0 when none was);
// - timeToNotReadyMs: to the first non-2xx probe answer;
// - lastCloseMs: to the last WebSocket or connection close;
// - throughputBeforeSignal: operations completed per second over the second before the signal
//   (folded operations counted pro rata of their summary window);
// - outcomes: operations per outcome over all drivers (`unfinished` = never ended), and
//   `outcomes:<driver>` per driver.
export function loadMetrics(events: readonly HistoryEvent[]): RunMetrics {
  const { ops, summaries } = loadView(events);
  const probes = eventsOf(events, 'probe:status');
  const wsCloses = eventsOf(events, 'ws:close');
  const connCloses = eventsOf(events, 'conn:close');
  if (ops.length === 0 && summaries.length === 0 && probes.length === 0 && wsCloses.length === 0 && connCloses.length === 0) return {};
  const m: RunMetrics = {};
  const all: Record<string, number> = {};
  const perDriver = new Map<string, Record<string, number>>();
  const of = (driver: string): Record<string, number> => {
    let t = perDriver.get(driver);
    if (!t) perDriver.set(driver, (t = {}));
    return t;
  };
  for (const o of ops) {
    tally(all, o.outcome);
    tally(of(o.driver), o.outcome);
  }
  for (const s of summaries) {
    for (const [k, n] of Object.entries(s.outcomes)) {
      tally(all, k, n ?? 0);
      tally(of(s.driver), k, n ?? 0);
    }
  }
  if (Object.keys(all).length) m.outcomes = all;
  for (const [driver, t] of perDriver) m[`outcomes:${driver}`] = t;

  const signal = eventsOf(events, 'signal:sent').find((e) => !e.escalation && !e.error);
  if (!signal) return m;
  const S = signal.t;
  const inFlight = ops.filter((o) => o.startT < S && o.endT !== undefined && o.endT >= S);
  const unfinished = ops.some((o) => o.startT < S && o.endT === undefined);
  if (ops.some((o) => o.startT < S) && !unfinished) m.drainMs = inFlight.length ? r3(Math.max(...inFlight.map((o) => o.endT!)) - S) : 0;

  const notReady = probes.find((p) => p.t >= S && p.status !== null && !is2xx(p.status));
  if (notReady) m.timeToNotReadyMs = r3(notReady.t - S);

  const closes = [...wsCloses.filter((c) => !c.byClient).map((c) => c.t), ...connCloses.filter((c) => c.how !== 'local').map((c) => c.t)].filter((t) => t >= S);
  if (closes.length) m.lastCloseMs = r3(Math.max(...closes) - S);

  const from = S - 1000;
  let completed = ops.filter((o) => o.endT !== undefined && o.endT >= from && o.endT < S).length;
  for (const s of summaries) {
    if (s.toT < from || s.fromT >= S) continue;
    const span = s.toT - s.fromT;
    const overlap = Math.min(s.toT, S) - Math.max(s.fromT, from);
    completed += span > 0 ? (s.ops * Math.max(0, overlap)) / span : s.ops;
  }
  const loadStart = eventsOf(events, 'load:started')[0]?.t;
  // Over the last second, or over the time the load had run when that was shorter.
  const window = loadStart !== undefined ? Math.min(1000, S - loadStart) : 1000;
  if (window > 0 && (ops.length || summaries.length)) m.throughputBeforeSignal = Math.round((completed * 1000) / window * 10) / 10;
  return m;
}
