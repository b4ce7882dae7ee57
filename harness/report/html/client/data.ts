// The data the report pages embed in inert <script type="application/json"> blocks, as the page's
// scripts read it back. Types only, from the Node side that writes it (harness/report/html.ts,
// compare-html.ts): `import type` is erased, so nothing of those modules reaches a bundle.
import type { Comparison, PassRate } from '../../compare.js';
import type { RunRootCause } from '../../root-cause.js';
import type { Summary } from '../../stats.js';
import type { ResultsFile, RunOutcome, RunResult } from '../../types.js';
import type { SweepResult } from '../../../sweep/types.js';
import type { Outcome, TimelineData } from '../timeline.js';

export type { Comparison, RunResult, SweepResult, TimelineData };
export type { CheckResult } from '../../../check/result.js';
export type { GroupComparison, MetricComparison } from '../../compare.js';
export type { Marker, MarkerKind, Lane, TickLane } from '../timeline.js';
export type { Summary };

// A summary as JSON carries it: a field that was NaN (no samples) is null.
export type JsonSummary = { [K in keyof Summary]: Summary[K] | null };

// One run's row in the overview (html.ts builds it; the detail is in its own JSON block). outcome is
// the gate's view (report/outcome.ts), shown next to the verdict when it is not the plain one.
export interface RunRow {
  id: string;
  scenario: string;
  verdict: RunResult['verdict'];
  repeat: number;
  params: string;
  failing: string[];
  checks: string[];
  tte: number | null;
  drain: number | null;
  durationMs: number | null;
  reason: string | null;
  group: number;
  outcome: RunOutcome;
  outcomeNote: string | null;
  marked: boolean;
}

// Repeats of one scenario and parameters (html.ts `groups`).
export interface RepeatGroup {
  key: string;
  scenario: string;
  // Indexes into `runs`.
  runs: number[];
  rate: PassRate;
  tte: JsonSummary;
  drain: JsonSummary;
  tteValues: number[];
  drainValues: number[];
}

// #sd-index: the overview.
export interface ReportIndex {
  title: string;
  suite: Pick<ResultsFile, 'status' | 'startedAt' | 'finishedAt' | 'tool' | 'machine'> & {
    containment: NonNullable<ResultsFile['containment']> | null;
    options: Record<string, unknown> | null;
  };
  outcomes: readonly Outcome[];
  runs: RunRow[];
  groups: RepeatGroup[];
}

// #sd-run-N: one run's detail, parsed when the run is opened.
export interface RunDetail {
  run: RunResult;
  replay: string;
  timeline: TimelineData | null;
  historyError: string | null;
  rootCause: RunRootCause | null;
}

// #sd-sweeps: the strike-time sweeps and, per run id, its index in the run list.
export interface SweepsData {
  sweeps: SweepResult[];
  runIndex: Record<string, number>;
}

// #sd-compare: the compare page.
export interface CompareData {
  title: string;
  comparison: Comparison;
}

