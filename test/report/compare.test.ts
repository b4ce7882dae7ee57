import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { resultsFileOf, rng } from '../../bench/report1000.js';
import { isHarnessError } from '../../harness/errors.js';
import { compareResults, formatComparison, loadResults, parseMaxSlowdown, runGroupKey } from '../../harness/report/compare.js';
import { writeCompareHtml } from '../../harness/report/compare-html.js';
import { fisherLower, mannWhitneyGreater, summarize } from '../../harness/report/stats.js';
import type { ResultsFile, RunResult } from '../../harness/report/types.js';
import { tempDir, writeFixture } from '../fixtures/report/suite.js';

function run(id: string, repeat: number, tte: number, drain: number, verdict: RunResult['verdict'] = 'pass'): RunResult {
  return {
    id: `${id}#${repeat}`, scenario: id.split('[')[0]!, params: {}, seed: 1, repeat, verdict,
    checks: verdict === 'fail' ? [{ name: 'exit-status', passed: false, status: 'fail', expected: { codes: [0] }, actual: { code: 1 }, message: 'exit 1' }] : [],
    metrics: { timeToExitMs: tte, drainMs: drain }, exit: { code: 0, signal: null }, history: null,
  };
}

const SCENARIOS = [
  { id: 'seed/http-api/correct[signal=SIGTERM]', tte: 180, drain: 120 },
  { id: 'seed/ws-chat/correct[signal=SIGTERM]', tte: 420, drain: 300 },
  { id: 'seed/todo/correct[signal=SIGINT]', tte: 35, drain: 20 },
];

// One build's results: `repeats` samples per scenario with uniform ±jitter around the true times,
// and now and then a scheduler hiccup (one sample 1.5x slower).
function build(seed: number, repeats: number, jitter = 0.1, factor = 1): ResultsFile {
  const rand = rng(seed);
  const runs: RunResult[] = [];
  for (const s of SCENARIOS) {
    for (let r = 0; r < repeats; r++) {
      const noise = (): number => 1 + (rand() * 2 - 1) * jitter;
      const hiccup = rand() < 0.05 ? 1.5 : 1;
      runs.push(run(s.id, r, s.tte * noise() * hiccup * factor, s.drain * noise() * factor));
    }
  }
  return resultsFileOf(runs);
}

t.test('a results file whose times were doubled is flagged', async (t) => {
  for (const repeats of [5, 8, 10]) {
    const base = build(1, repeats);
    const doubled: ResultsFile = structuredClone(base);
    for (const r of doubled.runs) {
      r.metrics.timeToExitMs = (r.metrics.timeToExitMs as number) * 2;
      r.metrics.drainMs = (r.metrics.drainMs as number) * 2;
    }
    const c = compareResults(base, doubled, { maxSlowdownPct: 20 });
    t.equal(c.verdict, 'regression', `${repeats} repeats`);
    t.equal(c.counts.regression, SCENARIOS.length);
    for (const g of c.groups) {
      t.equal(g.verdict, 'regression');
      t.same(g.metrics.map((m) => m.verdict), ['slower', 'slower']);
      t.equal(g.metrics[0]!.confidence, 'normal');
      t.ok(g.metrics[0]!.changePct! > 95 && g.metrics[0]!.changePct! < 105);
    }
    const text = formatComparison(c);
    t.match(text, /REGRESSION: 3 regressed, 0 improved/);
    t.match(text, /seed\/todo\/correct\[signal=SIGINT\].*REGRESSION/);
  }
});

t.test('two runs of the same build are not flagged', async (t) => {
  let flagged = 0;
  let trials = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const repeats = 5 + (seed % 6);
    const c = compareResults(build(seed * 2, repeats), build(seed * 2 + 1, repeats), { maxSlowdownPct: 20 });
    trials++;
    if (c.verdict !== 'ok') flagged++;
    t.equal(c.counts.regression, 0, `seed ${seed}, ${repeats} repeats: ${c.groups.flatMap((g) => g.reasons).join('; ')}`);
  }
  t.equal(flagged, 0, `0 of ${trials} same-build comparisons flagged`);
});

t.test('the rule: thresholds, the noise floor, low sample counts, pass -> fail', async (t) => {
  const one = (tte: number, verdict: RunResult['verdict'] = 'pass'): ResultsFile => resultsFileOf([run('s[x=1]', 0, tte, tte / 2, verdict)]);
  // 1 vs 1: judged on the threshold only, marked low confidence.
  let c = compareResults(one(100), one(200), { maxSlowdownPct: 20 });
  t.equal(c.groups[0]!.metrics[0]!.verdict, 'slower');
  t.equal(c.groups[0]!.metrics[0]!.confidence, 'low');
  c = compareResults(one(100), one(115), { maxSlowdownPct: 20 });
  t.equal(c.verdict, 'ok', '15% is within 20%');
  // Tiny times: 2 ms -> 4 ms is +100% but under the 5 ms floor.
  c = compareResults(one(2), one(4), { maxSlowdownPct: 20 });
  t.equal(c.verdict, 'ok');
  t.match(c.groups[0]!.metrics[0]!.reason, /within the limit of 5.00ms/);
  c = compareResults(one(2), one(4), { maxSlowdownPct: 20, minShiftMs: 1 });
  t.equal(c.verdict, 'regression');
  // pass -> fail is a regression whatever the timings.
  c = compareResults(one(100), one(100, 'fail'), { maxSlowdownPct: 20 });
  t.equal(c.verdict, 'regression');
  t.equal(c.groups[0]!.passRateVerdict, 'worse');
  t.match(c.groups[0]!.reasons[0]!, /pass rate 100% -> 0% \(pass -> fail\)/);
  // Faster is an improvement, not a regression.
  c = compareResults(build(3, 8), build(4, 8, 0.1, 0.5), { maxSlowdownPct: 20 });
  t.equal(c.verdict, 'ok');
  t.equal(c.counts.improvement, 3);
  // New and missing scenarios are reported, not judged.
  const other = resultsFileOf([run('other[x=1]', 0, 100, 50)]);
  c = compareResults(one(100), other, { maxSlowdownPct: 20 });
  t.same(c.groups.map((g) => g.verdict).sort(), ['missing', 'new']);
  t.equal(c.verdict, 'ok');
  // Flaky in both builds (7/10 -> 6/10) is not a regression; 10/10 -> 9/10 is.
  const rate = (passes: number): ResultsFile => resultsFileOf(Array.from({ length: 10 }, (_, i) => run('f[x=1]', i, 100, 50, i < passes ? 'pass' : 'fail')));
  t.equal(compareResults(rate(7), rate(6), { maxSlowdownPct: 20 }).verdict, 'ok');
  t.equal(compareResults(rate(10), rate(9), { maxSlowdownPct: 20 }).verdict, 'regression');
  t.equal(compareResults(rate(9), rate(2), { maxSlowdownPct: 20 }).verdict, 'regression', 'a significant drop');
  t.throws(() => compareResults(one(1), one(1), { maxSlowdownPct: -1 }), { code: 'USAGE' });
  t.equal(parseMaxSlowdown('20%'), 20);
  t.equal(parseMaxSlowdown('7.5'), 7.5);
  t.throws(() => parseMaxSlowdown('fast'), { code: 'USAGE' });
});

t.test('runGroupKey strips the repeat suffix only', async (t) => {
  t.equal(runGroupKey({ id: 'seed/a/correct[signal=SIGTERM]#3', repeat: 3 }), 'seed/a/correct[signal=SIGTERM]');
  t.equal(runGroupKey({ id: 'seed/a/correct[signal=SIGTERM,repeat=2]', repeat: 2 }), 'seed/a/correct[signal=SIGTERM]');
  t.equal(runGroupKey({ id: 'seed/a/correct[repeat=2]', repeat: 2 }), 'seed/a/correct');
  t.equal(runGroupKey({ id: 'seed/a/correct (repeat 4)', repeat: 3 }), 'seed/a/correct', '1-based numbering');
  t.equal(runGroupKey({ id: 'seed/a/correct[port=8080]', repeat: 0 }), 'seed/a/correct[port=8080]');
  t.equal(runGroupKey({ id: 'seed/a/v#2', repeat: 7 }), 'seed/a/v#2', 'a number that is not the repeat is kept');
});

t.test('stats', async (t) => {
  t.same(summarize([5, 1, 3, 2, 4, NaN]), { n: 5, min: 1, p50: 3, p95: 4.8, max: 5, mean: 3 });
  t.equal(summarize([]).n, 0);
  t.ok(Number.isNaN(summarize([]).p50));
  const separated = mannWhitneyGreater([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  t.ok(separated.exact);
  t.ok(Math.abs(separated.p - 1 / 252) < 1e-12, 'exact p of a full separation of 5 vs 5 is 1/C(10,5)');
  t.equal(mannWhitneyGreater([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).p, 1);
  const tied = mannWhitneyGreater([1, 1, 2, 2, 3, 3], [3, 3, 4, 4, 5, 5]);
  t.notOk(tied.exact);
  t.ok(tied.p < 0.01);
  t.ok(Math.abs(fisherLower(10, 10, 9, 10) - 0.5) < 1e-9, '10/10 vs 9/10');
  t.ok(fisherLower(9, 10, 2, 10) < 0.01);
});

t.test('loadResults accepts a file or an out dir and rejects invalid input with RESULTS_INVALID', async (t) => {
  const dir = await tempDir(t);
  const results = await writeFixture(dir);
  t.equal(loadResults(dir).runs.length, results.runs.length);
  t.equal(loadResults(path.join(dir, 'results.json')).runs.length, results.runs.length);
  const bad = async (name: string, content: string, pattern: RegExp): Promise<void> => {
    const file = path.join(dir, name);
    await fs.writeFile(file, content);
    try {
      loadResults(file);
      t.fail(`${name} should be rejected`);
    } catch (error) {
      t.ok(isHarnessError(error, 'RESULTS_INVALID'), `${name}: RESULTS_INVALID`);
      t.match((error as Error).message, pattern, name);
    }
  };
  await bad('torn.json', '{"schemaVersion": 1, "runs": [', /is not valid JSON/);
  await bad('newer.json', JSON.stringify({ schemaVersion: 99, runs: [] }), /schemaVersion` is 99 but this shutdown-drill reads up to 1; upgrade/);
  await bad('none.json', JSON.stringify({ runs: [] }), /schemaVersion` must be an integer/);
  await bad('running.json', JSON.stringify({ schemaVersion: 1, status: 'running', finishedAt: null, runs: [] }), /still running or whose harness was killed \(status "running"/);
  await bad('no-status.json', JSON.stringify({ schemaVersion: 1, runs: [] }), /`status` must be one of passed, failed, interrupted, error, got undefined/);
  await bad('runs.json', JSON.stringify({ schemaVersion: 1, runs: [{ id: '', verdict: 'maybe' }] }), /runs\[0\]\.id must be a non-empty string.*runs\[0\]\.verdict must be one of pass, fail, error, skipped, got "maybe"/);
  try {
    loadResults(path.join(dir, 'nope'));
    t.fail('missing path');
  } catch (error) {
    t.ok(isHarnessError(error, 'RESULTS_INVALID'));
    t.match((error as Error).message, /does not exist/);
  }
  const empty = await tempDir(t);
  t.throws(() => loadResults(empty), { code: 'RESULTS_INVALID', message: /results\.json/ });
});

t.test('writeCompareHtml writes a self-contained page', async (t) => {
  const dir = await tempDir(t);
  const c = compareResults(build(1, 6), build(2, 6, 0.1, 2), { maxSlowdownPct: 20 });
  const file = await writeCompareHtml(dir, c);
  t.equal(file, path.join(dir, 'compare.html'));
  const html = await fs.readFile(file, 'utf8');
  t.match(html, /<script type="application\/json" id="sd-compare">/);
  t.notMatch(html, /src="http/);
});
