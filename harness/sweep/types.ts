// What offsets count from (the schema's SweepAnchor, written out so that this file, which the report's
// browser scripts type their data from, needs no schema; sweep/plans.ts asserts the two agree).
export type SweepAnchorValue = 'ready' | 'spawn' | 'firstResponse' | { log: string };

// One run at one offset of a sweep.
export interface SweepRun {
  // The run's id in results.json `runs[]`.
  run: string;
  verdict: 'pass' | 'fail' | 'error' | 'skipped';
  // Names of the checks that did not pass (or `error:<code>` for a run that errored).
  failedChecks: string[];
  // Actual - intended time of the first signal (the strike's lateness), when a signal was sent.
  latenessMs: number | null;
  // The strike landed further from its offset than the resolution (kept, but said so).
  late: boolean;
  timeToExitMs: number | null;
  // Operations of the load that did not end `ok` (reset, timeout, error, unfinished...).
  failedOps: number | null;
}

// Every run at one offset, and the failure rate there.
export interface SweepPoint {
  offsetMs: number;
  runs: SweepRun[];
  failures: number;
  failureRate: number;
}

// A window of offsets where runs failed (merged into an interval). `fromMs`/`toMs` are the first
// and last failing offsets; `passBeforeMs`/`passAfterMs` the nearest passing offsets outside it
// (null at the sweep's own bounds), so each edge is known to their distance.
export interface SweepWindow {
  fromMs: number;
  toMs: number;
  // Failed runs / runs, over the offsets inside the window.
  failureRate: number;
  failedChecks: string[];
  runs: number;
  passBeforeMs: number | null;
  passAfterMs: number | null;
}

// results.json `sweeps[]` (CONTRACTS.md): scenario, anchor, fromMs, toMs, resolutionMs, runs,
// windows[]; the rest is extension.
export interface SweepResult {
  scenario: string;
  anchor: SweepAnchorValue;
  fromMs: number;
  toMs: number;
  resolutionMs: number;
  runs: number;
  windows: SweepWindow[];
  // `fail` when a window exists; `error` when the sweep could not finish its grid (budget,
  // interruption) or every run was skipped; `pass` otherwise.
  verdict: 'pass' | 'fail' | 'error' | 'skipped';
  reason?: string;
  repeats: number;
  maxRuns: number;
  // The budget stopped the bisection before every edge was known to resolutionMs.
  budgetExhausted: boolean;
  // The largest |lateness| of a strike, and how many runs landed further off than the resolution.
  maxLatenessMs: number | null;
  lateRuns: number;
  file?: string;
  // The coarse grid's step (gaps between failing offsets are measured in it).
  gridStepMs: number;
  points: SweepPoint[];
}
