// A swept scenario's known-failure mark is judged on the sweep: a marked point outside the window
// passes and is expected; a marked sweep without a window is "fixed" (the suite fails, as for a
// fixed plain run); an unmarked sweep is left alone. Synthetic results (the rule is pure); the real
// seed sweeps exit 0 through it in test/sweep/seed.test.ts.
import t from 'tap';
import type { RunResult } from '../../harness/report/types.js';
import { settleSweepOutcomes } from '../../harness/sweep/outcomes.js';
import type { SweepResult } from '../../harness/sweep/types.js';

const mark = { checks: ['files-absent'] };
function run(id: string, verdict: RunResult['verdict'], marked: boolean): RunResult {
  return {
    id, scenario: 's', params: {}, seed: 1, repeat: 1, verdict, checks: [], metrics: {}, exit: null, history: null,
    outcome: verdict === 'pass' && !marked ? 'expected' : marked && verdict === 'fail' ? 'expected' : 'unexpected', ...(marked ? { fails: mark } : {}),
  } as RunResult;
}
function sweep(verdict: SweepResult['verdict'], ids: Array<[string, 'pass' | 'fail']>): SweepResult {
  return {
    scenario: 's', anchor: 'ready', fromMs: 0, toMs: 100, resolutionMs: 10, runs: ids.length, windows: verdict === 'fail' ? [{ fromMs: 50, toMs: 50 } as SweepResult['windows'][number]] : [],
    verdict, repeats: 1, maxRuns: 10, budgetExhausted: false, maxLatenessMs: 0, lateRuns: 0, gridStepMs: 50,
    points: ids.map(([id, v], i) => ({ offsetMs: i * 50, runs: [{ run: id, verdict: v, failedChecks: v === 'fail' ? ['files-absent'] : [], latenessMs: 0, late: false, timeToExitMs: 1, failedOps: 0 }], failures: v === 'fail' ? 1 : 0, failureRate: v === 'fail' ? 1 : 0 })),
  };
}

t.test('a marked sweep with a window: its passing points are expected, nothing is fixed', async (t) => {
  const runs = [run('a', 'pass', true), run('b', 'fail', true), run('c', 'pass', true)];
  const r = settleSweepOutcomes([sweep('fail', [['a', 'pass'], ['b', 'fail'], ['c', 'pass']])], runs);
  t.same(r.runs.map((x) => x.outcome), ['expected', 'expected', 'expected']);
  t.match(r.runs[0]!.outcomeNote, /outside the window of a sweep marked to fail in files-absent/);
  t.same(r.fixed, []);
});

t.test('a marked sweep without a window is fixed: remove the mark', async (t) => {
  const runs = [run('a', 'pass', true), run('b', 'pass', true)];
  const r = settleSweepOutcomes([sweep('pass', [['a', 'pass'], ['b', 'pass']])], runs);
  t.equal(r.fixed.length, 1);
  t.match(r.sweeps[0]!.reason, /^fixed: no vulnerable window, although marked to fail in files-absent: remove the mark/);
});

t.test('an unmarked sweep, and runs outside any sweep, are left as they are', async (t) => {
  const runs = [run('a', 'pass', false), run('b', 'fail', false), run('plain', 'pass', true)];
  const r = settleSweepOutcomes([sweep('fail', [['a', 'pass'], ['b', 'fail']])], runs);
  t.same(r.runs, runs);
  t.same(r.fixed, []);
});
