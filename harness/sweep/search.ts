import { round3 } from '../clock.js';
import type { SweepPoint, SweepRun } from './types.js';
import { analyzeWindows, pointOf } from './windows.js';

export interface SearchOptions {
  fromMs: number;
  toMs: number;
  resolutionMs: number;
  repeats: number;
  maxRuns: number;
  concurrency: number;
  // Runs the strike once at this offset. Never rejects.
  probe: (offsetMs: number) => Promise<SweepRun>;
  // True once the sweep must start no more runs (the harness was interrupted).
  stopped: () => boolean;
  onPhase?: (phase: string) => void;
}

export interface SearchOutcome {
  points: SweepPoint[];
  runs: number;
  // Every offset of the coarse grid was run.
  gridDone: boolean;
  // The budget ran out before every edge was bisected down to the resolution.
  budgetExhausted: boolean;
  // A run was skipped (a required command is missing): the sweep stopped there.
  skipped?: string;
  // The coarse grid's step (what a gap is measured in, see windows.ts).
  gridStepMs: number;
}

// A strike that lands further off than this many resolutions is run again (at most twice).
const LATE_RETRIES = 2;

// Offsets are whole milliseconds unless the resolution is finer than 1 ms (then microseconds).
function offsetAt(ms: number, resolutionMs: number): number {
  return resolutionMs >= 1 ? Math.round(ms) : round3(ms);
}

// The coarse grid: at most this many offsets (fewer when the span is short or the budget small).
export function gridOffsets(fromMs: number, toMs: number, resolutionMs: number, maxRuns: number): number[] {
  const span = toMs - fromMs;
  if (span <= 0) return [fromMs];
  const most = Math.max(2, Math.min(21, Math.floor(maxRuns / 2)));
  const n = Math.min(most, Math.floor(span / resolutionMs) + 1);
  const count = Math.max(2, n);
  return Array.from({ length: count }, (_, i) => offsetAt(fromMs + (i * span) / (count - 1), resolutionMs));
}

// Searches the offsets [fromMs, toMs] for the windows where the run fails: a coarse grid, then
// more runs where results are in doubt (flaky), then a bisection of every edge between a passing
// and a failing offset down to resolutionMs. Never more than maxRuns runs; never rejects.
export async function searchSweep(options: SearchOptions): Promise<SearchOutcome> {
  const { resolutionMs, repeats, maxRuns } = options;
  const runsAt = new Map<number, SweepRun[]>();
  let used = 0;
  let skipped: string | undefined;
  const canRun = (): boolean => used < maxRuns && !options.stopped() && skipped === undefined;
  const point = (offset: number): SweepPoint => pointOf(offset, runsAt.get(offset) ?? []);
  const points = (): SweepPoint[] => [...runsAt.keys()].sort((a, b) => a - b).map(point);

  // One counted run at an offset: a strike that landed too far off is run again.
  const runOnce = async (offset: number): Promise<SweepRun | undefined> => {
    let last: SweepRun | undefined;
    for (let attempt = 0; attempt <= LATE_RETRIES && canRun(); attempt++) {
      used++;
      last = await options.probe(offset);
      if (!runsAt.has(offset)) runsAt.set(offset, []);
      runsAt.get(offset)!.push(last);
      if (last.verdict === 'skipped') {
        skipped = `run ${last.run} was skipped`;
        return last;
      }
      if (!last.late) return last;
    }
    return last;
  };
  // Runs jobs at most `concurrency` at a time.
  const pool = async (jobs: Array<() => Promise<unknown>>): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) await jobs[next++]!();
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, jobs.length)) }, worker));
  };

  const grid = gridOffsets(options.fromMs, options.toMs, resolutionMs, maxRuns);
  const gridStepMs = grid.length > 1 ? grid[1]! - grid[0]! : 0;
  options.onPhase?.(`grid of ${grid.length} offsets`);
  await pool(grid.map((o) => () => (canRun() ? runOnce(o) : Promise.resolve())));
  const gridDone = grid.every((o) => (runsAt.get(o)?.length ?? 0) > 0);

  // Offsets in doubt: run them until each has `repeats` counted runs (a few rounds: a round can
  // put new offsets in doubt).
  for (let round = 0; round < 4 && gridDone && repeats > 1; round++) {
    const { doubtful } = analyzeWindows(points(), repeats, gridStepMs);
    if (doubtful.length === 0 || !canRun()) break;
    options.onPhase?.(`running ${doubtful.length} offset(s) in doubt again (up to ${repeats} runs each)`);
    const jobs: Array<() => Promise<unknown>> = [];
    for (const d of doubtful) {
      const missing = d.runs - point(d.offsetMs).runs.filter((r) => !r.late).length;
      for (let k = 0; k < missing; k++) jobs.push(() => (canRun() ? runOnce(d.offsetMs) : Promise.resolve()));
    }
    await pool(jobs);
  }

  // Bisection of every edge that has a passing offset beyond it.
  let budgetExhausted = false;
  if (gridDone) {
    const { windows } = analyzeWindows(points(), repeats, gridStepMs);
    const edges: Array<{ outside: number; inside: number; tries: number }> = [];
    for (const w of windows) {
      // In a window that always failed one run decides; in a flaky one a pass needs `repeats`.
      const tries = w.failureRate >= 1 ? 1 : repeats;
      if (w.passBeforeMs !== null) edges.push({ outside: w.passBeforeMs, inside: w.fromMs, tries });
      if (w.passAfterMs !== null) edges.push({ outside: w.passAfterMs, inside: w.toMs, tries });
    }
    if (edges.length) options.onPhase?.(`bisecting ${edges.length} edge(s) to ${resolutionMs} ms`);
    await pool(edges.map((edge) => async () => {
      while (Math.abs(edge.inside - edge.outside) > resolutionMs) {
        const mid = offsetAt((edge.inside + edge.outside) / 2, resolutionMs);
        if (mid === edge.inside || mid === edge.outside) break;
        let failed = false;
        let ran = 0;
        for (let k = 0; k < edge.tries && !failed; k++) {
          if (!canRun()) break;
          const run = await runOnce(mid);
          if (!run || run.verdict === 'skipped') break;
          ran++;
          failed = point(mid).failures > 0;
        }
        if (!failed && ran < edge.tries) {
          budgetExhausted = true;
          return;
        }
        if (failed) edge.inside = mid;
        else edge.outside = mid;
      }
    }));
  }
  return { points: points(), runs: used, gridDone, gridStepMs, budgetExhausted: budgetExhausted || (!gridDone && !skipped), ...(skipped ? { skipped } : {}) };
}
