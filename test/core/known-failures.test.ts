// Issue 15 item 3: known failures (`expect.fails`), run outcomes, --retries (flaky) and tags.
// Real runs of tiny targets through the CLI: the verdict stays the truth, the outcome decides the
// exit code, JUnit does not fail on an expected failure, and old results without `outcome` still
// go through merge, compare and report.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { parse, type TestSuites } from 'junit2json';
import { allChecks } from '../../harness/check/index.js';
import { CHECK_NAMES } from '../../harness/check/names.js';
import { combineAttempts, judgeOutcome, outcomeOf } from '../../harness/report/outcome.js';
import type { ResultsFile, RunResult } from '../../harness/report/types.js';
import { tagsSelect } from '../../harness/run/suite.js';
import { FIXTURES, killSurvivors, newMark, runCli, survivors, tempDir, writeScenario } from '../helpers/cli.js';

const T = path.join(FIXTURES, 'targets');
const mark = newMark('known');
t.teardown(() => {
  killSurvivors(mark);
});
const byId = (results: ResultsFile | undefined, id: string): RunResult => {
  const run = results?.runs.find((r) => r.id === id);
  if (!run) throw new Error(`no run ${id} in ${JSON.stringify(results?.runs.map((r) => r.id))}`);
  return run;
};
// A run of graceful.mjs that exits with `code` on SIGTERM, expected to exit 0; `extra` adds YAML lines to expect.
const graceful = (name: string, code: number, expectExtra = '', top = ''): string => `
- name: ${name}
  ${top}
  target: { command: node, args: ['${T}/graceful.mjs', '--code', '${code}'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] }, timeToExitMs: { max: 30000 }${expectExtra} }
`;

t.test('the check names expect.fails accepts are exactly the registry\'s', async (t) => {
  t.same([...CHECK_NAMES].sort(), allChecks.map((c) => c.name).sort());
});

t.test('tag selection (pure): any of --tag, none of --exclude-tag', async (t) => {
  t.ok(tagsSelect(['a'], {}));
  t.ok(tagsSelect([], { excludeTags: ['a'] }));
  t.notOk(tagsSelect([], { tags: ['a'] }));
  t.ok(tagsSelect(['b'], { tags: ['a', 'b'] }));
  t.notOk(tagsSelect(['a', 'b'], { tags: ['a'], excludeTags: ['b'] }));
});

t.test('outcome rules (pure)', async (t) => {
  const check = (name: string, status: 'pass' | 'fail' | 'error') => ({ name, status, passed: status === 'pass', expected: null, actual: null, message: '' });
  t.equal(judgeOutcome({ verdict: 'pass', checks: [check('exit-status', 'pass')] }).outcome, 'expected');
  t.equal(judgeOutcome({ verdict: 'fail', checks: [check('exit-status', 'fail')] }).outcome, 'unexpected');
  t.equal(judgeOutcome({ verdict: 'error', checks: [check('drain', 'error')] }).outcome, 'unexpected');
  t.equal(judgeOutcome({ verdict: 'skipped', checks: [] }, { checks: ['drain'] }).outcome, 'skipped');
  const m = { checks: ['exit-status', 'no-reset'] };
  t.match(judgeOutcome({ verdict: 'fail', checks: [check('exit-status', 'fail'), check('no-reset', 'pass')] }, m), { outcome: 'expected', listedNotFailed: ['no-reset'], note: /listed but did not fail: no-reset/ });
  t.match(judgeOutcome({ verdict: 'fail', checks: [check('exit-status', 'fail'), check('drain', 'fail')] }, m), { outcome: 'unexpected', note: /failed in drain, not listed/ });
  t.match(judgeOutcome({ verdict: 'fail', checks: [check('exit-status', 'fail'), check('drain', 'error')] }, m), { outcome: 'unexpected', note: /no evidence/ });
  t.match(judgeOutcome({ verdict: 'pass', checks: [check('exit-status', 'pass')] }, m), { outcome: 'unexpected', note: /^fixed: .*remove the mark/ });
  t.equal(combineAttempts(['unexpected', 'expected']), 'flaky');
  t.equal(combineAttempts(['unexpected', 'unexpected']), 'unexpected');
  t.equal(combineAttempts(['expected']), 'expected');
  // Results written before outcomes existed: derived from the verdict alone.
  t.equal(outcomeOf({ verdict: 'fail' }), 'unexpected');
  t.equal(outcomeOf({ verdict: 'pass' }), 'expected');
  t.equal(outcomeOf({ verdict: 'skipped' }), 'skipped');
});

t.test('expect.fails naming an unknown check, or a check twice, is an invalid scenario (exit 2, naming the field)', async (t) => {
  const file = writeScenario(graceful('kf/typo', 0, ', fails: [exit-stauts]') + graceful('kf/twice', 0, ', fails: { checks: [exit-status, exit-status] }'));
  const r = await runCli(['list', file], { mark });
  t.equal(r.code, 2, r.stderr);
  t.match(r.stderr, /expect\.fails/);
  t.match(r.stderr, /exit-stauts/);
  t.match(r.stderr, /list each check once/);
});

t.test('a known failure caught as listed is expected: verdict fail, exit 0, JUnit without a failure, said in every report', async (t) => {
  const summary = path.join(tempDir(), 'summary.md');
  const file = writeScenario(
    graceful('kf/known', 3, ", fails: { checks: [exit-status, no-escalation], reason: 'upstream bug', link: 'https://example.invalid/issue/1' }, noEscalation: true")
    + graceful('kf/plain', 0));
  // --retries 2: an expected run is never retried.
  const r = await runCli(['run', file, '--retries', '2'], { mark, env: { GITHUB_STEP_SUMMARY: summary } });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.results?.status, 'passed');
  const known = byId(r.results, 'kf/known');
  t.equal(known.verdict, 'fail', 'the verdict stays the truth');
  t.same(known.checks.filter((c) => c.status !== 'pass').map((c) => c.name), ['exit-status']);
  t.equal(known.outcome, 'expected');
  t.same(known.fails, { checks: ['exit-status', 'no-escalation'], reason: 'upstream bug', link: 'https://example.invalid/issue/1' });
  t.match(known.outcomeNote, /caught by exit-status; listed but did not fail: no-escalation/, 'a listed check that passed is reported');
  t.equal(known.attempts, undefined, 'not retried');
  t.equal(byId(r.results, 'kf/plain').outcome, 'expected');
  t.match(r.stdout, /Known failures[^\n]*\n  ✗ kf\/known: caught by exit-status  \(upstream bug; https:\/\/example\.invalid\/issue\/1\)/);
  t.match(r.stdout, /2 runs: 1 passed, 1 failed, 0 errored, 0 skipped; 2 expected, 0 unexpected, 0 flaky \(passed\)/);

  const xml = fs.readFileSync(path.join(r.outDir, 'junit.xml'), 'utf8');
  const parsed = (await parse(xml)) as TestSuites;
  t.equal(parsed.failures, 0, 'an expected failure does not fail the JUnit file');
  t.equal(parsed.errors, 0);
  t.equal(parsed.tests, 2);
  t.notMatch(xml, /<failure/);
  t.match(xml, /<property name="outcome" value="expected"\/>/);
  t.match(xml, /<property name="expected-failure" value="exit-status,no-escalation"\/>/);
  t.match(xml, /<system-out>expected failure \(expect\.fails: exit-status, no-escalation\): known failure, caught by exit-status/);

  const html = fs.readFileSync(path.join(r.outDir, 'index.html'), 'utf8');
  t.match(html, /"outcome":"expected"/);
  const md = fs.readFileSync(summary, 'utf8');
  t.match(md, /Outcomes: 2 expected, 0 unexpected, 0 flaky, 0 skipped\./);
  t.ok(md.includes('| kf\\/known | expected | exit\\-status | upstream bug\\; https\\:\\/\\/example'), `the summary lists the known failure and its checks: ${md}`);
  t.same(survivors(mark), []);
});

t.test('a marked run that passes is unexpected ("fixed: remove the mark"): exit 1, a JUnit failure', async (t) => {
  const file = writeScenario(graceful('kf/fixed', 0, ', fails: [exit-status]'));
  const r = await runCli(['run', file], { mark });
  t.equal(r.code, 1, r.stderr);
  t.equal(r.results?.status, 'failed');
  const run = byId(r.results, 'kf/fixed');
  t.equal(run.verdict, 'pass');
  t.equal(run.outcome, 'unexpected');
  t.match(run.outcomeNote, /^fixed: passes although marked to fail in exit-status: remove the mark/);
  t.match(r.stdout, /Failures[\s\S]*kf\/fixed[\s\S]*fixed: passes although marked/);
  const parsed = (await parse(fs.readFileSync(path.join(r.outDir, 'junit.xml'), 'utf8'))) as TestSuites;
  t.equal(parsed.failures, 1);
  t.match(fs.readFileSync(path.join(r.outDir, 'junit.xml'), 'utf8'), /<failure message="fixed: [^"]*" type="fixed">/);
});

t.test('a marked run failing in a check it does not list, or erroring, is unexpected: exit 1', async (t) => {
  const file = writeScenario(graceful('kf/other-check', 3, ', fails: [time-to-exit]') + `
- name: kf/error
  target: { command: node, args: ['-e', 'console.log("ready")'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 2000 }, signal: SIGTERM }
  expect: { exit: { codes: [0] }, fails: [exit-status] }
`);
  const r = await runCli(['run', file], { mark });
  t.equal(r.code, 1, r.stderr);
  const other = byId(r.results, 'kf/other-check');
  t.equal(other.verdict, 'fail');
  t.equal(other.outcome, 'unexpected');
  t.match(other.outcomeNote, /failed in exit-status, not listed in expect\.fails \(marked to fail in time-to-exit\); listed but did not fail: time-to-exit/);
  const error = byId(r.results, 'kf/error');
  t.equal(error.verdict, 'error');
  t.equal(error.outcome, 'unexpected');
  t.match(error.outcomeNote, /no evidence is never "as expected"/);
  t.same(survivors(mark), []);
});

t.test('--retries: a run that fails then passes is flaky (exit 0, every attempt recorded); --fail-on-flaky fails it; without retries it fails', async (t) => {
  const state = tempDir();
  const flaky = (name: string): string => `
- name: ${name}
  target: { command: node, args: ['${T}/fails-once.mjs', '--state', '${state}/${name.replace(/\W/g, '_')}'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] } }
`;
  const r = await runCli(['run', writeScenario(flaky('kf/flaky')), '--retries', '2'], { mark });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.results?.status, 'passed');
  const run = byId(r.results, 'kf/flaky');
  t.equal(run.outcome, 'flaky');
  t.equal(run.verdict, 'pass', 'the verdict of the last attempt');
  t.match(run.outcomeNote, /^flaky: attempt 1 failed in exit-status; passed on attempt 2 of 2/);
  t.match(run.attempts, [{ attempt: 1, verdict: 'fail', outcome: 'unexpected', failedChecks: ['exit-status'] }, { attempt: 2, verdict: 'pass', outcome: 'expected', failedChecks: [] }]);
  t.not(run.attempts![0]!.history, run.attempts![1]!.history, 'each attempt has its own history');
  for (const a of run.attempts!) t.ok(fs.existsSync(path.join(r.outDir, a.history!)), `${a.history} kept`);
  t.match(r.stdout, /↻ retry\s+kf\/flaky\s+attempt 1 failed in exit-status; running attempt 2 of 3/);
  t.match(r.stdout, /Flaky[^\n]*\n  ~ kf\/flaky: flaky:/);
  const parsed = (await parse(fs.readFileSync(path.join(r.outDir, 'junit.xml'), 'utf8'))) as TestSuites;
  t.equal(parsed.failures, 0, 'flaky does not fail the JUnit file');
  t.match(fs.readFileSync(path.join(r.outDir, 'junit.xml'), 'utf8'), /<property name="outcome" value="flaky"\/>/);

  const strict = await runCli(['run', writeScenario(flaky('kf/flaky-strict')), '--retries', '1', '--fail-on-flaky'], { mark });
  t.equal(strict.code, 1, strict.stderr);
  t.equal(byId(strict.results, 'kf/flaky-strict').outcome, 'flaky');
  t.equal(strict.results?.status, 'failed');

  const once = await runCli(['run', writeScenario(flaky('kf/flaky-once'))], { mark });
  t.equal(once.code, 1, once.stderr);
  t.equal(byId(once.results, 'kf/flaky-once').outcome, 'unexpected');
  t.equal(byId(once.results, 'kf/flaky-once').attempts, undefined);
  t.same(survivors(mark), []);
});

t.test('--tag and --exclude-tag select runs; a selection of nothing fails closed unless --pass-with-no-runs', async (t) => {
  const file = writeScenario(graceful('kf/tag-a', 0, '', 'tags: [a]') + graceful('kf/tag-ab', 0, '', 'tags: [a, b]') + graceful('kf/tag-b', 0, '', 'tags: [b]') + graceful('kf/untagged', 0));
  const list = async (...args: string[]): Promise<string[]> => {
    const r = await runCli(['list', file, ...args], { mark });
    t.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n').filter((l) => l.startsWith('kf/')).map((l) => l.split('  ')[0]!);
  };
  t.same(await list('--tag', 'a'), ['kf/tag-a', 'kf/tag-ab']);
  t.same(await list('--tag', 'a', '--exclude-tag', 'b'), ['kf/tag-a']);
  t.same(await list('--exclude-tag', 'a'), ['kf/tag-b', 'kf/untagged']);
  const ran = await runCli(['run', file, '--tag', 'b', '--exclude-tag', 'a'], { mark });
  t.equal(ran.code, 0, ran.stderr);
  t.same(ran.results?.runs.map((r) => [r.id, r.tags]), [['kf/tag-b', ['b']]]);
  const none = await runCli(['run', file, '--tag', 'nope'], { mark });
  t.equal(none.code, 1);
  t.match(none.stderr, /no run executed: no run matches --tag nope in /);
  const allowed = await runCli(['run', file, '--tag', 'nope', '--pass-with-no-runs'], { mark });
  t.equal(allowed.code, 0, allowed.stderr);
  const empty = await runCli(['list', file, '--tag', ''], { mark });
  t.equal(empty.code, 2);
  t.match(empty.stderr, /--tag must name a tag/);
  const badRetries = await runCli(['run', file, '--retries', 'x'], { mark });
  t.equal(badRetries.code, 2);
  t.match(badRetries.stderr, /--retries must be an integer >= 0/);
});

t.test('old results without `outcome` go through merge, compare and report; report re-judges the outcome from the saved mark', async (t) => {
  const file = writeScenario(graceful('kf/old-known', 3, ', fails: [exit-status]') + graceful('kf/old-plain', 0));
  const r = await runCli(['run', file], { mark });
  t.equal(r.code, 0, r.stderr);
  // The same out dir as an older writer left it: no outcome fields, the status from verdicts.
  const old = r.results!;
  const stripped: ResultsFile = { ...old, status: 'failed', runs: old.runs.map(({ outcome: _o, outcomeNote: _n, fails: _f, ...rest }) => rest) };
  const oldDir = tempDir();
  fs.cpSync(r.outDir, oldDir, { recursive: true });
  fs.writeFileSync(path.join(oldDir, 'results.json'), JSON.stringify(stripped));

  const merged = await runCli(['merge', oldDir, '--out', path.join(tempDir(), 'm')], { mark });
  t.equal(merged.code, 1, `an old failed suite stays failed (${merged.stderr})`);
  t.match(merged.stdout, /merged 1 shard\(s\), 2 runs \(failed\)/);
  for (const [a, b] of [[oldDir, r.outDir], [r.outDir, oldDir]] as const) {
    const c = await runCli(['compare', a, b, '--out', tempDir()], { mark });
    t.equal(c.code, 0, `compare ${a === oldDir ? 'old new' : 'new old'}: ${c.stderr}`);
    t.match(c.stdout, /OK: 0 regressed/);
  }
  const rebuilt = await runCli(['report', oldDir], { mark });
  t.equal(rebuilt.code, 0, rebuilt.stderr);
  const again = JSON.parse(fs.readFileSync(path.join(oldDir, 'results.json'), 'utf8')) as ResultsFile;
  t.equal(again.status, 'passed');
  t.equal(byId(again, 'kf/old-known').outcome, 'expected');
  t.same(byId(again, 'kf/old-known').fails, { checks: ['exit-status'] });

  // An outcome that is not one of the four is a clear error (exit 2), naming the field.
  fs.writeFileSync(path.join(oldDir, 'results.json'), JSON.stringify({ ...stripped, runs: [{ ...stripped.runs[0], outcome: 'maybe' }] }));
  const bad = await runCli(['compare', oldDir, r.outDir], { mark });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /runs\[0\]\.outcome must be one of expected, unexpected, flaky, skipped/);
});
