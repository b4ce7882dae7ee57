import { judge, verdictOf } from '../check/index.js';
import type { CheckResult, RunVerdict } from '../check/types.js';
import type { HistoryEvent } from '../history/events.js';
import { computeMetrics } from '../metrics/core.js';
import type { RunMetrics } from '../metrics/types.js';
import { rootCauseOf, type RunRootCause } from '../report/root-cause.js';
import type { RunSpec } from '../scenario/schema.js';

// A run judged: its checks, the verdict they give, its metrics and the root causes of the checks
// that did not pass (null when every check passed).
export interface JudgedRun {
  checks: CheckResult[];
  verdict: RunVerdict;
  metrics: RunMetrics;
  rootCause: RunRootCause | null;
}

// The one place a run is judged from its filled spec and its history: live (run-one.ts) and by
// `shutdown-drill report DIR` (cli-extra.ts), so the same history gets the same result. Pure.
export function judgeRun(spec: RunSpec, events: readonly HistoryEvent[]): JudgedRun {
  const checks = judge(spec, events);
  return { checks, verdict: verdictOf(checks), metrics: computeMetrics(events), rootCause: rootCauseOf(checks, events) };
}
