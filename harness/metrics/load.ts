import type { HistoryEvent } from '../history/events.js';
import type { RunMetrics } from '../report/types.js';

// Load metrics of a run (drain duration, time to not-ready, time to last close, throughput before
// the signal, per-outcome counts); empty when the run had no load.
export function loadMetrics(_events: readonly HistoryEvent[]): RunMetrics {
  return {};
}
