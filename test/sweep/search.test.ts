// The sweep's search and window merging (harness/sweep/search.ts, windows.ts) on a simulated
// target: a probe that fails by a known rule, no process. Fast; the real-process tests are in
// sweep.test.ts.
import t from 'tap';
import { gridOffsets, searchSweep } from '../../harness/sweep/search.js';
import type { SweepRun } from '../../harness/sweep/types.js';
import { analyzeWindows, pointOf } from '../../harness/sweep/windows.js';

const run = (fails: boolean, extra: Partial<SweepRun> = {}): SweepRun => ({
  run: 'r', verdict: fails ? 'fail' : 'pass', failedChecks: fails ? ['exit-status'] : [], latenessMs: 0, late: false, timeToExitMs: 1, failedOps: null, ...extra,
});
const base = { fromMs: 0, toMs: 1000, resolutionMs: 10, repeats: 3, maxRuns: 60, concurrency: 1, stopped: () => false };
const inside = (windows: Array<[number, number]>) => (o: number): boolean => windows.some(([a, b]) => o >= a && o <= b);

t.test('one deterministic window [400, 600] is located to 10 ms in at most 40 runs (33)', async (t) => {
  const fails = inside([[400, 600]]);
  const out = await searchSweep({ ...base, probe: async (o) => run(fails(o)) });
  const { windows } = analyzeWindows(out.points, 3, out.gridStepMs);
  t.equal(windows.length, 1);
  const w = windows[0]!;
  t.ok(w.fromMs >= 400 && w.fromMs - w.passBeforeMs! <= 10, `from edge ${w.passBeforeMs}..${w.fromMs}`);
  t.ok(w.toMs <= 600 && w.passAfterMs! - w.toMs <= 10, `to edge ${w.toMs}..${w.passAfterMs}`);
  t.equal(w.failureRate, 1);
  t.ok(out.runs <= 40, `${out.runs} runs`);
  t.equal(out.budgetExhausted, false);
});

t.test('two windows are both found, none where there is none', async (t) => {
  const fails = inside([[150, 250], [600, 700]]);
  const two = await searchSweep({ ...base, probe: async (o) => run(fails(o)) });
  const ws = analyzeWindows(two.points, 3, two.gridStepMs).windows;
  t.equal(ws.length, 2);
  t.ok(ws[0]!.fromMs >= 150 && ws[0]!.fromMs <= 160 && ws[0]!.toMs >= 240 && ws[0]!.toMs <= 250, JSON.stringify(ws[0]));
  t.ok(ws[1]!.fromMs >= 600 && ws[1]!.fromMs <= 610 && ws[1]!.toMs >= 690 && ws[1]!.toMs <= 700, JSON.stringify(ws[1]));
  const none = await searchSweep({ ...base, probe: async () => run(false) });
  t.same(analyzeWindows(none.points, 3, none.gridStepMs).windows, []);
  t.equal(none.runs, 21, 'the grid only');
  t.equal(two.runs, 45, '21 grid + 2 x 6 confirmations + 4 edges x 3 bisections');
});

t.test('a 50 % flaky window is one window with a failure rate, not alternating windows', async (t) => {
  // A fixed pseudo-random sequence: the same outcomes on every run of the test.
  let state = 12345;
  const coin = (): boolean => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 16) % 2 === 1;
  const fails = inside([[400, 600]]);
  let flaky = 0;
  const TRIALS = 50;
  for (let trial = 0; trial < TRIALS; trial++) {
    const out = await searchSweep({ ...base, maxRuns: 100, probe: async (o) => run(fails(o) && coin()) });
    const { windows } = analyzeWindows(out.points, 3, out.gridStepMs);
    // Never split: at most one window, always inside [400, 600].
    t.ok(windows.length <= 1, `trial ${trial}: ${JSON.stringify(windows.map((w) => [w.fromMs, w.toMs, w.failureRate]))}`);
    for (const w of windows) t.ok(w.fromMs >= 400 && w.toMs <= 600, `trial ${trial}: inside [400, 600]: ${w.fromMs}..${w.toMs}`);
    if (windows.length === 1 && windows[0]!.failureRate > 0.2 && windows[0]!.failureRate < 0.8) flaky++;
  }
  // One run per grid offset cannot always see a flake (5 offsets inside all passing: 1 in 32);
  // the rest get a rate (measured over 400 random trials: 88 % one window with a rate < 1).
  t.ok(flaky >= 40, `${flaky} of ${TRIALS} trials report one window with a failure rate`);
});

t.test('a narrow gap is split only once proven; a flaky point makes the window flaky', async (t) => {
  const pts = (spec: Array<[number, boolean[]]>) => spec.map(([o, rs]) => pointOf(o, rs.map((f) => run(f))));
  // F P F with one run each: in doubt, merged, and all three asked for more runs.
  const doubt = analyzeWindows(pts([[0, [false]], [100, [true]], [200, [false]], [300, [true]], [400, [false]]]), 3);
  t.same(doubt.windows.map((w) => [w.fromMs, w.toMs]), [[100, 300]]);
  t.same(doubt.doubtful, [{ offsetMs: 0, runs: 3 }, { offsetMs: 100, runs: 3 }, { offsetMs: 200, runs: 3 }, { offsetMs: 300, runs: 3 }, { offsetMs: 400, runs: 3 }]);
  // Proven: the gap passed 3 times, its neighbours failed 3 times: two windows.
  const proven = analyzeWindows(pts([[0, [false]], [100, [true, true, true]], [200, [false, false, false]], [300, [true, true, true]], [400, [false]]]), 3);
  t.same(proven.windows.map((w) => [w.fromMs, w.toMs, w.failureRate]), [[100, 100, 1], [300, 300, 1]]);
  t.same(proven.doubtful, [{ offsetMs: 0, runs: 3 }, { offsetMs: 400, runs: 3 }], 'only the passing offsets outside are run again');
  // A gap is measured in grid steps: 4 bisection offsets inside one 100 ms step do not make it wide
  // (a window's edge that moves from run to run, as the downloader's last file does).
  const dense = pts([[400, [false]], [500, [true]], [520, [false]], [540, [false]], [560, [false]], [580, [false]], [600, [true]], [700, [false]]]);
  t.same(analyzeWindows(dense, 3, 100).windows.map((w) => [w.fromMs, w.toMs]), [[500, 600]]);
  t.equal(analyzeWindows(dense, 3).windows.length, 2, 'counted in offsets, the same gap looks wide');
  // With repeats 1 a single pass is proof enough.
  t.same(analyzeWindows(pts([[0, [true]], [100, [false]], [200, [true]]]), 1).windows.length, 2);
});

t.test('a late strike is run again and marked; the budget bounds the sweep; a skipped run stops it', async (t) => {
  let calls = 0;
  const late = await searchSweep({ ...base, toMs: 100, maxRuns: 60, probe: async (o) => (calls++, run(false, { late: o === 50, latenessMs: o === 50 ? 25 : 0 })) });
  const p50 = late.points.find((p) => p.offsetMs === 50)!;
  t.equal(p50.runs.length, 3, 'two retries of a strike that landed 25 ms off at resolution 10');
  t.ok(p50.runs.every((r) => r.late));
  t.equal(late.runs, calls);
  const budget = await searchSweep({ ...base, maxRuns: 8, probe: async (o) => run(o >= 300 && o <= 700) });
  t.equal(budget.runs, 8);
  t.equal(budget.budgetExhausted, true, 'the edges could not be bisected to 10 ms in 8 runs');
  t.equal(budget.gridDone, true);
  t.same(gridOffsets(0, 1000, 10, 8), [0, 333, 667, 1000], 'the grid shrinks to the budget');
  let skippedCalls = 0;
  const skipped = await searchSweep({ ...base, probe: async () => (skippedCalls++, run(false, { verdict: 'skipped' })) });
  t.equal(skippedCalls, 1);
  t.match(skipped.skipped, /skipped/);
  const stopped = await searchSweep({ ...base, stopped: () => true, probe: async () => run(false) });
  t.equal(stopped.runs, 0);
  t.equal(stopped.gridDone, false);
});
