// The strike-time sweep on real processes (test/fixtures/sweep/window.mjs: exits 1 when SIGTERM
// lands inside its windows, measured from the moment it printed ready, else 0). About 90 s at
// --concurrency 1. The search itself is tested on a simulated target in search.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import t from 'tap';
import type { ResultsFile } from '../../harness/report/types.js';
import type { SweepResult } from '../../harness/sweep/types.js';
import { CLI, FIXTURES, newMark, runCli, runEvents, survivors, tempDir, writeScenario, type CliResult } from '../helpers/cli.js';

t.setTimeout(300_000);
const WINDOW = path.join(FIXTURES, 'sweep/window.mjs');
const scenario = (name: string, args: string[], at: string): string => writeScenario(`
name: ${name}
target:
  command: node
  args: ${JSON.stringify([WINDOW, ...args])}
  ready: { log: '^ready$' }
strike: { at: ${at}, signal: SIGTERM }
expect: { exit: { codes: [0] } }
`);

// The largest gap between an intended offset and the one the target saw (its own clock from its
// ready line): the strike's lateness plus the time the harness took to see the ready line.
function measuredLatenessMs(out: CliResult): number {
  let worst = 0;
  for (const run of out.results!.runs) {
    const intended = Number(/strike=\+([\d.]+)ms/.exec(run.id)![1]);
    const line = runEvents(out.outDir, run.history).find((e) => e.type === 'log:line' && /^SIGTERM at/.test(String(e['line'])));
    const seen = Number(/\+([\d.]+) ms/.exec(String(line!['line']))![1]);
    worst = Math.max(worst, Math.abs(seen - intended));
  }
  return worst;
}

async function sweep(t: Tap.Test, args: string[], mark: string): Promise<CliResult & { sweep: SweepResult }> {
  const outDir = tempDir('sweep-out-');
  t.teardown(() => fs.rmSync(outDir, { recursive: true, force: true }));
  const out = await runCli([...args, '--out', outDir, '--concurrency', '1'], { mark, outDir });
  t.same(survivors(mark), [], 'no process outlives the sweep');
  t.equal(out.results?.sweeps?.length, 1, `one sweep in results.json: ${out.stderr.slice(0, 800)}`);
  return { ...out, sweep: out.results!.sweeps![0]! };
}

t.test('one window [400, 600]: found with edges within 2 x resolution + measured lateness, in at most 40 runs; a point replays exactly', async (t) => {
  const mark = newMark('sweep-one');
  const file = scenario('window-one', ['--windows', '400-600'], '{ afterReadyMs: 100 }');
  t.teardown(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
  // The CLI form: the scenario's fixed strike.at is overridden by the flags.
  const out = await sweep(t, ['sweep', file, '--from-ms', '0', '--to-ms', '800', '--resolution-ms', '10', '--seed', '7'], mark);
  t.equal(out.code, 1, 'a window fails the sweep');
  const { sweep: s } = out;
  t.equal(s.verdict, 'fail');
  t.same([s.scenario, s.anchor, s.fromMs, s.toMs, s.resolutionMs], ['window-one', 'ready', 0, 800, 10]);
  t.equal(s.windows.length, 1, JSON.stringify(s.windows));
  const w = s.windows[0]!;
  const late = measuredLatenessMs(out);
  const tolerance = 2 * 10 + late;
  t.ok(Math.abs(w.fromMs - 400) <= tolerance, `from ${w.fromMs} within ${tolerance.toFixed(1)} of 400`);
  t.ok(Math.abs(w.toMs - 600) <= tolerance, `to ${w.toMs} within ${tolerance.toFixed(1)} of 600`);
  t.ok(w.fromMs - w.passBeforeMs! <= 10 && w.passAfterMs! - w.toMs <= 10, 'each edge bisected to the resolution');
  t.equal(w.failureRate, 1);
  t.same(w.failedChecks, ['exit-status']);
  t.ok(s.runs <= 40, `${s.runs} runs`);
  t.equal(out.results!.runs.length, s.runs, 'every sweep run is an ordinary run in runs[]');
  t.ok(out.results!.runs.every((r) => /^window-one\[strike=\+[\d.]+ms\](#\d+)?$/.test(r.id)), 'runs named <scenario>[strike=+Nms]');
  t.match(out.stdout, new RegExp(`vulnerable \\+${w.fromMs}\\.\\.\\+${w.toMs} ms after ready \\(${s.runs} runs\\): exit-status`));
  t.match(out.stdout, /sweep window-one: grid of 21 offsets/, 'progress on the console');
  t.equal(s.points.flatMap((p) => p.runs).filter((r) => r.latenessMs === null).length, 0, 'each point records the strike lateness');

  // `report DIR` re-judges the runs from their histories and finds the same windows again.
  const rebuilt = spawnSync(process.execPath, [CLI, 'report', out.outDir], { encoding: 'utf8' });
  t.equal(rebuilt.status, 1, rebuilt.stderr);
  const again0 = JSON.parse(fs.readFileSync(path.join(out.outDir, 'results.json'), 'utf8')) as ResultsFile;
  t.same(again0.sweeps, out.results!.sweeps, 'the same sweep from the saved histories');

  // The replay command of a failing point runs that offset once, with its seed.
  const failing = out.results!.runs.find((r) => r.verdict === 'fail' && !r.id.includes('#'))!;
  const offset = /strike=\+([\d.]+)ms/.exec(failing.id)![1]!;
  t.match(failing.replay, new RegExp(`sweep .* --grep '\\^window-one\\$' --at-ms ${offset.replace('.', '\\.')} --seed ${failing.seed}$`));
  const argv = failing.replay!.replace(/^npx shutdown-drill /, '').split(' ').map((a) => a.replace(/^'(.*)'$/, '$1'));
  const again = await sweep(t, argv, mark);
  t.same(again.results!.runs.map((r) => [r.id, r.seed, r.verdict]), [[failing.id, failing.seed, 'fail']], 'the same run, seed and verdict');
});

t.test('two windows are both found (scenario form, run command)', async (t) => {
  const mark = newMark('sweep-two');
  const file = scenario('window-two', ['--windows', '150-250,500-600'], '{ sweep: { fromMs: 0, toMs: 700, resolutionMs: 20 } }');
  t.teardown(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
  const out = await sweep(t, ['run', file], mark);
  t.equal(out.code, 1);
  const late = measuredLatenessMs(out);
  const tolerance = 2 * 20 + late;
  t.equal(out.sweep.windows.length, 2, JSON.stringify(out.sweep.windows));
  const [a, b] = out.sweep.windows;
  for (const [w, from, to] of [[a, 150, 250], [b, 500, 600]] as const) {
    t.ok(Math.abs(w!.fromMs - from) <= tolerance && Math.abs(w!.toMs - to) <= tolerance, `${w!.fromMs}..${w!.toMs} within ${tolerance.toFixed(1)} of ${from}..${to}`);
  }
});

t.test('no window: the sweep passes and says what it covered', async (t) => {
  const mark = newMark('sweep-none');
  const file = scenario('window-none', [], '{ sweep: { fromMs: 0, toMs: 700, resolutionMs: 50, maxRuns: 12 } }');
  t.teardown(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
  const out = await sweep(t, ['run', file], mark);
  t.equal(out.code, 0);
  t.equal(out.results!.status, 'passed');
  t.same([out.sweep.verdict, out.sweep.windows, out.sweep.runs], ['pass', [], 6]);
  t.match(out.stdout, /no vulnerable window in \+0\.\.\+700 ms after ready \(6 runs, resolution 50 ms\)/);
});

t.test('a 50 % flaky window is one window with a failure rate', async (t) => {
  const mark = newMark('sweep-flaky');
  const file = scenario('window-flaky', ['--windows', '300-500', '--flaky-seed', '{seed}'], '{ sweep: { fromMs: 0, toMs: 700, resolutionMs: 40, repeats: 3 } }');
  t.teardown(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
  const out = await sweep(t, ['run', file, '--seed', '11'], mark);
  t.equal(out.code, 1);
  const late = measuredLatenessMs(out);
  t.equal(out.sweep.windows.length, 1, JSON.stringify(out.sweep.windows.map((w) => [w.fromMs, w.toMs, w.failureRate])));
  const w = out.sweep.windows[0]!;
  t.ok(w.failureRate > 0 && w.failureRate < 1, `failure rate ${w.failureRate}`);
  t.ok(w.fromMs >= 300 - 80 - late && w.toMs <= 500 + 80 + late, `${w.fromMs}..${w.toMs} inside [300, 500]`);
  t.match(out.stdout, /vulnerable \+[\d.]+\.\.\+[\d.]+ ms after ready \(\d+ runs, fails \d+ % of \d+ runs inside\): exit-status/);
});

t.test('bad sweep input exits 2 naming what to fix, before any run', async (t) => {
  const mark = newMark('sweep-bad');
  const file = scenario('window-bad', [], '{ afterReadyMs: 10 }');
  const noLoad = scenario('window-bad-anchor', [], "{ sweep: { fromMs: 0, toMs: 100, anchor: firstResponse } }");
  t.teardown(() => {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    fs.rmSync(path.dirname(noLoad), { recursive: true, force: true });
  });
  const cases: Array<[string[], RegExp]> = [
    [['sweep', file], /its strike\.at is not a sweep: give --from-ms and --to-ms/],
    [['sweep', file, '--from-ms', '500', '--to-ms', '100'], /--from-ms \(500\) must be <= --to-ms \(100\)/],
    [['sweep', file, '--from-ms', 'soon', '--to-ms', '100'], /--from-ms must be a non-negative number, got "soon"/],
    [['sweep', file, '--from-ms', '0', '--to-ms', '100', '--anchor', 'later'], /--anchor must be ready, spawn, firstResponse or log:REGEX, got "later"/],
    [['sweep', file, '--from-ms', '0', '--to-ms', '100', '--resolution-ms', '0'], /--resolution-ms: /],
    [['run', noLoad], /anchor: `firstResponse` counts from the load's first completed operation, but the scenario has no `load`/],
  ];
  for (const [args, message] of cases) {
    const outDir = tempDir('sweep-bad-');
    const out = await runCli([...args, '--out', outDir], { mark, outDir });
    fs.rmSync(outDir, { recursive: true, force: true });
    t.equal(out.code, 2, args.join(' '));
    t.match(out.stderr, message);
  }
  t.same(survivors(mark), []);
});
