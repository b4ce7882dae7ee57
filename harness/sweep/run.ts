import type { RunPlan } from '../run/plan.js';
import type { RunResult } from '../report/types.js';
import { round3 } from '../clock.js';
import { pointPlan, sweepOf } from './plans.js';
import { searchSweep } from './search.js';
import type { SweepResult, SweepRun } from './types.js';
import { analyzeWindows, pointOf } from './windows.js';

export interface StrikeSweepOptions {
  // Executes one ordinary run (the suite's executeRun with its bookkeeping). Never rejects.
  execute: (plan: RunPlan & { replay: string }) => Promise<RunResult>;
  concurrency: number;
  stopped: () => boolean;
  // Progress lines (`sweep <name>: bisecting 2 edge(s) ...`).
  onProgress?: (text: string) => void;
}

// Outcomes of load operations that are not a failure of the shutdown (answered, or turned away).
const FINE_OPS = new Set(['ok', 'rejected', 'refused']);

// One run's part in its sweep point.
export function sweepRunOf(result: RunResult, resolutionMs: number): SweepRun {
  const lateness = typeof result.metrics.strikeLatenessMs === 'number' ? result.metrics.strikeLatenessMs : null;
  const outcomes = result.metrics.outcomes;
  const failedOps = outcomes && typeof outcomes === 'object'
    ? Object.entries(outcomes).filter(([k]) => !FINE_OPS.has(k)).reduce((a, [, n]) => a + n, 0) : null;
  const failedChecks = result.verdict === 'error' ? [`error:${result.errorCode ?? 'unknown'}`] : result.checks.filter((c) => !c.passed).map((c) => c.name);
  return {
    run: result.id, verdict: result.verdict, failedChecks, latenessMs: lateness,
    late: lateness !== null && Math.abs(lateness) > resolutionMs,
    timeToExitMs: typeof result.metrics.timeToExitMs === 'number' ? result.metrics.timeToExitMs : null, failedOps,
  };
}

// Runs the strike-time sweep of one plan (its strike.at is a sweep) and summarizes it. Each run
// is an ordinary run handed to `execute`. Never rejects.
export async function runStrikeSweep(plan: RunPlan, options: StrikeSweepOptions): Promise<SweepResult> {
  const sweep = sweepOf(plan);
  const say = (text: string): void => options.onProgress?.(`sweep ${plan.id}: ${text}`);
  const perOffset = new Map<number, number>();
  let n = 0;
  // A replay (--at-ms: one run) keeps the plan's own seed; otherwise each run its own.
  const single = sweep.fromMs === sweep.toMs && sweep.maxRuns === 1;
  const outcome = await searchSweep({
    fromMs: sweep.fromMs, toMs: sweep.toMs, resolutionMs: sweep.resolutionMs, repeats: sweep.repeats, maxRuns: sweep.maxRuns,
    concurrency: options.concurrency, stopped: options.stopped,
    onPhase: (phase) => say(`${phase} (${n}/${sweep.maxRuns} runs so far)`),
    probe: async (offsetMs) => {
      const k = (perOffset.get(offsetMs) ?? 0) + 1;
      perOffset.set(offsetMs, k);
      const seed = single ? plan.seed : (plan.seed + n) % 2 ** 31;
      n++;
      const result = await options.execute(pointPlan(plan, { offsetMs, k, seed }));
      return sweepRunOf(result, sweep.resolutionMs);
    },
  });
  const { windows } = analyzeWindows(outcome.points, sweep.repeats, outcome.gridStepMs);
  const runs = outcome.points.flatMap((p) => p.runs);
  const lateness = runs.map((r) => r.latenessMs).filter((v): v is number => v !== null).map(Math.abs);
  const interrupted = options.stopped();
  const verdict: SweepResult['verdict'] = outcome.skipped ? 'skipped' : windows.length ? 'fail' : outcome.gridDone ? 'pass' : 'error';
  const reason = outcome.skipped ? outcome.skipped
    : !outcome.gridDone ? (interrupted ? 'interrupted before the grid of offsets was done' : `--max-runs ${sweep.maxRuns} ran out before the grid of offsets was done: raise it`)
      : undefined;
  const result: SweepResult = {
    scenario: plan.id, anchor: sweep.anchor, fromMs: sweep.fromMs, toMs: sweep.toMs, resolutionMs: sweep.resolutionMs, runs: outcome.runs, windows,
    verdict, ...(reason ? { reason } : {}), repeats: sweep.repeats, maxRuns: sweep.maxRuns, budgetExhausted: outcome.budgetExhausted && outcome.gridDone,
    maxLatenessMs: lateness.length ? round3(Math.max(...lateness)) : null, lateRuns: runs.filter((r) => r.late).length,
    file: plan.file, gridStepMs: outcome.gridStepMs, points: outcome.points,
  };
  say(`${verdict}, ${windows.length} window(s) in ${outcome.runs} runs`);
  return result;
}

// The summary of a sweep that never started (the suite was interrupted or bailed first).
export function skippedSweep(plan: RunPlan, reason: string): SweepResult {
  const sweep = sweepOf(plan);
  return {
    scenario: plan.id, anchor: sweep.anchor, fromMs: sweep.fromMs, toMs: sweep.toMs, resolutionMs: sweep.resolutionMs, runs: 0, windows: [],
    verdict: 'skipped', reason, repeats: sweep.repeats, maxRuns: sweep.maxRuns, budgetExhausted: false, maxLatenessMs: null, lateRuns: 0, file: plan.file, gridStepMs: 0, points: [],
  };
}

// The sweeps again from re-judged runs (`shutdown-drill report DIR`): each point's runs take their
// run's new verdict and failed checks, and the windows are found anew. Pure.
export function rejudgeSweeps(sweeps: readonly SweepResult[], runs: readonly RunResult[]): SweepResult[] {
  const byId = new Map(runs.map((r) => [r.id, r]));
  return sweeps.map((s) => {
    if (s.verdict === 'skipped') return s;
    const points = s.points.map((p) => pointOf(p.offsetMs, p.runs.map((r) => {
      const run = byId.get(r.run);
      return run ? { ...sweepRunOf(run, s.resolutionMs), late: r.late } : r;
    })));
    const { windows } = analyzeWindows(points, s.repeats, s.gridStepMs);
    const verdict: SweepResult['verdict'] = windows.length ? 'fail' : s.verdict === 'error' ? 'error' : 'pass';
    return { ...s, points, windows, verdict };
  });
}
