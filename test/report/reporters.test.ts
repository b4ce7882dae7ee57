// Issue 12 item 3: one Reporter interface, a Multiplexer that isolates each reporter, and
// `--reporter list|line|dot|json|junit|html|github` (several, with options) on real CLI runs of one
// ~0.5 s run (test/fixtures/scenarios/basic.scenario.yaml). Defaults are as before; a throwing
// reporter (injected through the API) breaks neither the others nor results.json. Six runs, about
// 10 s on a quiet machine.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { isHarnessError } from '../../harness/errors.js';
import { writeFileAtomic, writeFileAtomicSync } from '../../harness/report/atomic.js';
import { endSuite, Multiplexer, type Reporter } from '../../harness/report/reporter.js';
import { parseReporterFlags, reporterHelp, reporters } from '../../harness/report/reporters/index.js';
import { resultsRecord } from '../../harness/report/reporters/json.js';
import type { ResultsFile } from '../../harness/report/types.js';
import { resultsFileOf, syntheticRun } from '../../bench/report1000.js';
import { FIXTURES, killSurvivors, newMark, ROOT, runCli, survivors, tempDir } from '../helpers/cli.js';

const SCENARIO = path.join(FIXTURES, 'scenarios/basic.scenario.yaml');
const mark = newMark();
const scratch = tempDir('drill-reporters-');
t.teardown(() => {
  killSurvivors(mark);
  fs.rmSync(scratch, { recursive: true, force: true });
});
let n = 0;
const fresh = (): string => path.join(scratch, `out-${++n}`);
// The out dir's own entries (the marker and the run folders aside).
const outFiles = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f !== 'runs' && f !== '.shutdown-drill-out').sort();
// The CLI with the out dir that follows --out (results.json read from it), GITHUB_STEP_SUMMARY unset.
const drill = (args: string[], env: Record<string, string> = {}): ReturnType<typeof runCli> => {
  const at = args.indexOf('--out');
  return runCli(args, { mark, outDir: at >= 0 ? args[at + 1]! : args[1]!, env: { GITHUB_STEP_SUMMARY: '', ...env } });
};

t.test('the Multiplexer: a reporter that throws (or rejects) in any hook is named once and the others get every event', async (t) => {
  const results = resultsFileOf([syntheticRun({ id: 's/x', scenario: 's/x', seed: 1 }).run]);
  const errors: string[] = [];
  const seen: string[] = [];
  const boom = (): never => {
    throw new Error('boom');
  };
  const thrower: Reporter = { name: 'thrower', onSuiteBegin: boom, onRunBegin: boom, onRunPhase: boom, onRunEnd: boom, onNote: boom, onResults: boom, write: boom, onSuiteEnd: boom };
  const rejecter: Reporter = { name: 'rejecter', onRunEnd: async () => Promise.reject(new Error('later')), write: async () => Promise.reject(new Error('no disk')) };
  const recorder: Reporter = {
    name: 'recorder',
    onSuiteBegin: () => seen.push('suite-begin'), onRunBegin: (r) => seen.push(`run-begin ${r.id}`), onRunPhase: (_r, p) => seen.push(`phase ${p}`),
    onRunEnd: (r, e) => seen.push(`run-end ${r.id} ${e.attempt}/${e.maxAttempts}`), onNote: (s) => seen.push(`note ${s}`), onResults: (r) => seen.push(`results ${r.status}`),
    write: () => '/x/recorder.txt', onSuiteEnd: (_r, e) => seen.push(`suite-end ${e.files.join(',')}`),
  };
  const mux = new Multiplexer([thrower, rejecter, recorder], { stderr: { write: (s: string) => errors.push(s) } });
  const run = results.runs[0]!;
  mux.onSuiteBegin({ runs: 1, scenarios: 1, containment: 'marker', concurrency: 1, outDir: '/x', cwd: '/' });
  mux.onRunBegin({ id: run.id, scenario: run.scenario, file: 'f' });
  mux.onRunPhase({ id: run.id }, 'strike');
  mux.onNote('sweeping');
  mux.onRunEnd(run, { attempt: 1, maxAttempts: 1, retrying: false });
  mux.onResults(results);
  const files = await endSuite(mux, results, '/x');
  t.same(files, ['/x/recorder.txt'], 'the paths written by the reporters that could write');
  t.same(seen, ['suite-begin', `run-begin ${run.id}`, 'phase strike', 'note sweeping', `run-end ${run.id} 1/1`, `results ${results.status}`, 'suite-end /x/recorder.txt']);
  t.same(mux.failed, ['thrower', 'rejecter'], 'both failures are known (the CLI then never exits 0)');
  t.equal(errors.length, 2, `each failing reporter is reported once: ${JSON.stringify(errors)}`);
  t.match(errors[0], /^shutdown-drill: the thrower reporter failed: boom; /);
  t.match(errors[1], /^shutdown-drill: the rejecter reporter failed: later; /);
});

t.test('the Multiplexer: the record (results.json) is not isolated: its write error stops the suite', async (t) => {
  const dir = path.join(scratch, 'a-file');
  fs.writeFileSync(dir, 'not a folder');
  const mux = new Multiplexer([], { record: resultsRecord(dir), stderr: { write: () => undefined } });
  t.throws(() => mux.onResults(resultsFileOf([syntheticRun({ id: 's/x', scenario: 's/x', seed: 1 }).run])), { code: 'OUTPUT_WRITE_FAILED' }, 'a gate must never read a stale or missing record');
});

t.test('--reporter values: names, options, commas and repeats; a bad one is a usage error naming the valid ones', async (t) => {
  t.same(parseReporterFlags(['dot,junit=out/j.xml', 'json=-']).map((c) => [c.definition.name, c.option]), [['dot', undefined], ['junit', 'out/j.xml'], ['json', '-']]);
  const valid = reporters.map((r) => r.name).join(', ');
  t.equal(valid, 'list, line, dot, json, junit, html, github');
  const usage = (values: string[], message: RegExp): void => {
    try {
      parseReporterFlags(values);
      t.fail(`${values.join(' ')} was accepted`);
    } catch (error) {
      t.ok(isHarnessError(error, 'USAGE'), `${values.join(' ')}: a usage error`);
      t.match((error as Error).message, message);
    }
  };
  usage(['junitt'], new RegExp(`no reporter "junitt"; valid reporters: ${valid}`));
  usage(['dot,'], /a reporter name is missing; valid reporters/);
  usage(['dot=x'], /the dot reporter takes no option/);
  usage(['junit='], /FILE is missing after "="/);
  usage(['junit', 'junit=a.xml'], /--reporter junit is given twice/);
  for (const r of reporters) t.match(reporterHelp(), `  ${r.name}${r.option ? '[=FILE]' : ''}`, `--help lists ${r.name}`);
});

t.test('no --reporter: as before, list + results.json + junit.xml + index.html + the GitHub summary when set', async (t) => {
  const out = fresh();
  const summary = path.join(scratch, 'step-summary.md');
  const r = await drill(['run', SCENARIO, '--out', out], { GITHUB_STEP_SUMMARY: summary });
  t.equal(r.code, 0, r.stderr);
  t.same(outFiles(out), ['index.html', 'junit.xml', 'results.json']);
  t.match(fs.readFileSync(summary, 'utf8'), /^### ✅ shutdown-drill: passed/);
  t.match(r.stdout, /^shutdown-drill: 1 run of 1 scenario; containment /);
  t.match(r.stdout, /\n✓ pass    graceful  exit code 0/);
  t.match(r.stdout, `  ${out}/results.json\n  ${out}/junit.xml\n  ${out}/index.html\n  ${summary}\n`, 'the summary lists every file written');
  t.equal(r.stderr, '');

  // report DIR rebuilds the same files, and prints the list summary only when asked.
  fs.rmSync(path.join(out, 'junit.xml'));
  const again = await drill(['report', out, '--reporter', 'list,junit']);
  t.equal(again.code, 0, again.stderr);
  t.same(outFiles(out), ['index.html', 'junit.xml', 'results.json']);
  t.match(again.stdout, /\n1 runs: 1 passed, 0 failed, 0 errored, 0 skipped; 1 expected/, 'the list summary');
  t.match(again.stdout, `re-judged 1 runs from their histories (0 verdicts changed)\n  ${out}/results.json\n  ${out}/junit.xml\n`);
  t.same(survivors(mark), []);
});

t.test('--reporter dot,junit=FILE: the dots, the summary and junit at FILE; no other file but the record', async (t) => {
  const out = fresh();
  const junit = path.join(scratch, 'dot-junit.xml');
  const r = await drill(['run', SCENARIO, '--out', out, '--reporter', `dot,junit=${junit}`]);
  t.equal(r.code, 0, r.stderr);
  t.same(outFiles(out), ['results.json'], 'no junit.xml, no index.html in the out dir');
  t.equal(r.results?.status, 'passed');
  t.match(fs.readFileSync(junit, 'utf8'), /<testcase [^>]*name="graceful"/);
  t.equal(r.stdout.split('\n')[1], '·', 'one dot for the passing run');
  t.notOk(r.stdout.includes('✓ pass'), 'no list line');
  t.match(r.stdout, `\n1 runs: 1 passed`);
  t.match(r.stdout, `  ${out}/results.json\n  ${junit}\n`);
});

t.test('several reporters with FILE options, one unwritable: each other file where asked, the failing one named once, exit 1', async (t) => {
  const out = fresh();
  const at = (f: string): string => path.join(scratch, `opt-${f}`);
  const blocker = at('blocker');
  fs.writeFileSync(blocker, '');
  const r = await drill(['run', SCENARIO, '--out', out, '--reporter', `line,junit=${blocker}/j.xml`, '--reporter', `html=${at('deep/r.html')}`, '--reporter', `json=${at('copy.json')},github=${at('gh.md')}`]);
  t.equal(r.code, 1, 'a report the gate may read is missing: never exit 0 (fail closed)');
  t.equal(r.results?.status, 'passed', 'results.json keeps the runs\' truth');
  t.same(outFiles(out), ['results.json'], 'nothing at the default paths');
  t.match(fs.readFileSync(at('deep/r.html'), 'utf8'), /^<!doctype html>/i, 'html written (its folder made)');
  t.match(fs.readFileSync(at('gh.md'), 'utf8'), /^### ✅ shutdown-drill: passed/, 'appended although GITHUB_STEP_SUMMARY is unset');
  t.same(JSON.parse(fs.readFileSync(at('copy.json'), 'utf8')), r.results, 'the json copy is the final results.json');
  t.notOk(r.stdout.includes('✓ pass'), 'line prints no passing run');
  t.match(r.stdout, `  ${out}/results.json\n  ${at('deep/r.html')}\n  ${at('copy.json')}\n  ${at('gh.md')}\n`, 'the files written, in order');
  t.equal(r.stderr.split('\n').filter((l) => l.includes('reporter failed')).length, 1, r.stderr);
  t.match(r.stderr, `shutdown-drill: the junit reporter failed: could not write ${blocker}/j.xml`);
  t.match(r.stderr, /reporter failed: could not write .*NAME=FILE of --reporter for a reporter's own file/, 'the fix names the reporter\'s FILE, not only --out');
});

t.test('--reporter json=-: the final results on stdout, the record in the out dir', async (t) => {
  const out = fresh();
  const r = await drill(['run', SCENARIO, '--out', out, '--reporter', 'json=-']);
  t.equal(r.code, 0, r.stderr);
  t.same(JSON.parse(r.stdout) as ResultsFile, r.results);
  t.same(outFiles(out), ['results.json']);
});

t.test('a report path under /proc fails at once instead of hanging (Node 20\'s recursive mkdir never returns there)', async (t) => {
  await t.rejects(writeFileAtomic('/proc/shutdown-drill-nope/j.xml', 'x'), { code: 'OUTPUT_WRITE_FAILED' });
  t.throws(() => writeFileAtomicSync('/proc/shutdown-drill-nope/results.json', '{}'), { code: 'OUTPUT_WRITE_FAILED' });
});

t.test('bad reporter names and options exit 2 before anything runs', async (t) => {
  for (const [value, message] of [['xml', 'no reporter "xml"; valid reporters: list, line, dot, json, junit, html, github'], ['list=x', 'the list reporter takes no option']] as const) {
    const out = fresh();
    const r = await drill(['run', SCENARIO, '--out', out, '--reporter', value]);
    t.equal(r.code, 2, value);
    t.match(r.stderr, message);
    t.notOk(fs.existsSync(out), 'nothing written');
  }
  const report = await drill(['report', scratch, '--reporter', 'pdf']);
  t.equal(report.code, 2);
  t.match(report.stderr, 'no reporter "pdf"');
});

t.test('the config\'s toggles hold for run and report DIR; a --reporter flag wins over them', async (t) => {
  const config = path.join(scratch, 'no-junit.config.json');
  fs.writeFileSync(config, JSON.stringify({ reporters: { junit: false } }));
  const out = fresh();
  const r = await drill(['run', SCENARIO, '--out', out, '--config', config]);
  t.equal(r.code, 0, r.stderr);
  t.same(outFiles(out), ['index.html', 'results.json'], 'junit off by the config');
  const report = await drill(['report', out, '--config', config]);
  t.equal(report.code, 0, report.stderr);
  t.same(outFiles(out), ['index.html', 'results.json'], 'report DIR honors it too (it used to write junit.xml)');
  const flagged = await drill(['report', out, '--config', config, '--reporter', 'junit']);
  t.equal(flagged.code, 0, flagged.stderr);
  t.same(outFiles(out), ['index.html', 'junit.xml', 'results.json'], 'the flag wins');
});

t.test('through the API: a reporter that throws in every hook breaks neither the run, the others nor results.json', async (t) => {
  const out = fresh();
  const child = spawn(process.execPath, [path.join(FIXTURES, 'report/api-reporters.mjs'), path.join(ROOT, 'dist/harness/index.js'), SCENARIO, out],
    { cwd: ROOT, env: { ...process.env, DRILL_TEST_MARK: mark }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(code, 0, stderr);
  const got = JSON.parse(stdout) as { status: string; failed: string[]; errors: string[]; seen: string[] };
  t.equal(got.status, 'passed');
  t.same(got.failed, ['thrower', 'rejecter']);
  t.equal(got.errors.length, 2, JSON.stringify(got.errors));
  t.match(got.errors[0], /^shutdown-drill: the thrower reporter failed: boom in onResults; /, 'its first error, once');
  t.same(got.seen, ['results running 0', 'suite-begin 1', 'run-begin graceful', 'run-end graceful pass 1/1', 'results running 1', 'results passed 1', 'suite-end passed results.json,junit.xml'],
    'the recorder got every event in order');
  const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as ResultsFile;
  t.equal(results.status, 'passed');
  t.equal(results.runs[0]?.verdict, 'pass');
  t.match(fs.readFileSync(path.join(out, 'junit.xml'), 'utf8'), /name="graceful"/, 'the registry\'s junit reporter wrote');
  t.same(survivors(mark), []);
});
