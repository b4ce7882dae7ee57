import { round3 } from '../clock.js';
import type { SweepPoint, SweepRun, SweepWindow } from './types.js';

// A gap of at most this many passing grid offsets between failing ones (measured in grid steps
// when the step is known, so the bisection's extra offsets do not widen it) is in doubt: in a
// flaky window a few passes in a row are likely, so the gap only splits two windows once it is
// proven (each of its offsets passed `repeats` times, and the failing offsets beside it failed
// every time).
export const NARROW_GAP = 3;

// The runs a point's verdict is taken from: those whose strike landed within the resolution, or
// all of them when none did (the point is then marked late).
export function countedRuns(runs: readonly SweepRun[]): SweepRun[] {
  const onTime = runs.filter((r) => !r.late && r.verdict !== 'skipped');
  return onTime.length ? onTime : runs.filter((r) => r.verdict !== 'skipped');
}

// A point from its runs: failures and failure rate over the counted runs.
export function pointOf(offsetMs: number, runs: SweepRun[]): SweepPoint {
  const counted = countedRuns(runs);
  const failures = counted.filter((r) => r.verdict === 'fail' || r.verdict === 'error').length;
  return { offsetMs, runs, failures, failureRate: counted.length ? failures / counted.length : 0 };
}

export interface WindowAnalysis {
  windows: SweepWindow[];
  // Offsets whose results are in doubt, with the counted runs each should have: `repeats` inside
  // a flaky window, around a narrow gap not yet proven and at the passing offsets just outside a
  // window; two (a confirmation) at a window's edge offsets: a window that looks narrow and solid
  // after one run per offset may be a wide flaky one.
  doubtful: Array<{ offsetMs: number; runs: number }>;
}

// The windows of failing offsets, merged into intervals. Pure. Points may come in any order.
export function analyzeWindows(input: readonly SweepPoint[], repeats: number, gridStepMs?: number): WindowAnalysis {
  const points = [...input].filter((p) => countedRuns(p.runs).length > 0).sort((a, b) => a.offsetMs - b.offsetMs);
  const runsOf = (p: SweepPoint): number => countedRuns(p.runs).length;
  const failing = (p: SweepPoint): boolean => p.failures > 0;
  const proven = (p: SweepPoint): boolean => runsOf(p) >= repeats;
  const groups: Array<{ start: number; end: number }> = [];
  const wanted = new Map<number, number>();
  const doubt = (p: SweepPoint | undefined, runs: number): void => {
    if (p && runsOf(p) < runs) wanted.set(p.offsetMs, Math.max(runs, wanted.get(p.offsetMs) ?? 0));
  };
  const confirm = Math.min(2, repeats);
  let i = 0;
  while (i < points.length) {
    if (!failing(points[i]!)) {
      i++;
      continue;
    }
    const start = i;
    let end = i;
    let j = i + 1;
    while (j < points.length) {
      if (failing(points[j]!)) {
        end = j++;
        continue;
      }
      // A gap of passing offsets: does a failing one follow it, and is it narrow and unproven?
      let k = j;
      while (k < points.length && !failing(points[k]!)) k++;
      if (k >= points.length) break;
      const gap = points.slice(j, k);
      const left = points[end]!;
      const right = points[k]!;
      const wide = gridStepMs !== undefined && gridStepMs > 0 ? right.offsetMs - left.offsetMs > (NARROW_GAP + 1) * gridStepMs : gap.length > NARROW_GAP;
      const split = wide
        || (gap.every(proven) && [left, right].every((p) => proven(p) && p.failureRate === 1));
      if (split) break;
      for (const p of [left, ...gap, right]) doubt(p, repeats);
      end = k;
      j = k + 1;
    }
    groups.push({ start, end });
    i = end + 1;
  }
  const windows = groups.map(({ start, end }) => {
    const inside = points.slice(start, end + 1);
    const runs = inside.flatMap((p) => countedRuns(p.runs));
    const failed = runs.filter((r) => r.verdict === 'fail' || r.verdict === 'error');
    // A flaky window: every offset in it is run `repeats` times, so its rate means something.
    if (failed.length < runs.length) for (const p of inside) doubt(p, repeats);
    for (const p of [points[start], points[end]]) doubt(p, confirm);
    for (const p of [points[start - 1], points[end + 1]]) doubt(p, repeats);
    const counts = new Map<string, number>();
    for (const r of failed) for (const c of r.failedChecks) counts.set(c, (counts.get(c) ?? 0) + 1);
    return {
      fromMs: points[start]!.offsetMs,
      toMs: points[end]!.offsetMs,
      failureRate: round3(failed.length / runs.length),
      // Most frequent first, then by name.
      failedChecks: [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c]) => c),
      runs: runs.length,
      passBeforeMs: start > 0 ? points[start - 1]!.offsetMs : null,
      passAfterMs: end + 1 < points.length ? points[end + 1]!.offsetMs : null,
    };
  });
  return { windows, doubtful: [...wanted].sort((a, b) => a[0] - b[0]).map(([offsetMs, runs]) => ({ offsetMs, runs })) };
}
