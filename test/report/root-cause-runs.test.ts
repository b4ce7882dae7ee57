// Root causes on real runs of the seed suite's failing variants (seed/wrapper/broken-sh-no-exec,
// about 5 s): a hang until SIGKILL is one headline with its folded checks, a wrapper's exit is the
// cause of its orphan; every failed check is still listed and still fails; the console, JUnit
// `message=` and the GitHub summary lead with the same headline, and JUnit's message holds no JSON.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse, type TestSuites } from 'junit2json';
import t from 'tap';
import { FIXTURES, killSurvivors, newMark, ROOT, runCli, survivors, tempDir } from '../helpers/cli.js';

const HANG = 'seed/wrapper/broken-sh-no-exec[signal=SIGINT,deliver=process]';
const ORPHAN = 'seed/wrapper/broken-sh-no-exec[signal=SIGTERM,deliver=process]';

t.test('seed wrapper variants: one headline per failing run, every failed check still failing', async (t) => {
  const mark = newMark();
  const out = tempDir('drill-rc-');
  const summary = path.join(out, 'step-summary.md');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(out, { recursive: true, force: true });
  });
  const r = await runCli(['run', 'test/report/unmarked-wrapper.scenario.ts', '--grep', '^seed/wrapper/broken-sh-no-exec\\[signal=SIG(INT|TERM),deliver=process\\]$'],
    { mark, cwd: ROOT, outDir: path.join(out, 'o'), env: { GITHUB_STEP_SUMMARY: summary } });
  t.equal(r.code, 1, `exit 1 (stderr: ${r.stderr.slice(-300)})`);
  const runs = r.results?.runs ?? [];
  t.same(runs.map((x) => x.id).sort(), [HANG, ORPHAN].sort());
  const hang = runs.find((x) => x.id === HANG)!;
  const orphan = runs.find((x) => x.id === ORPHAN)!;

  // Verdicts stay truthful: the same checks fail as in the seed suite's table.
  t.same(hang.checks.filter((c) => c.status !== 'pass').map((c) => c.name), ['exit-status', 'time-to-exit', 'no-escalation', 'log-present']);
  t.equal(hang.verdict, 'fail');
  t.same(orphan.checks.filter((c) => c.status !== 'pass').map((c) => c.name), ['no-orphans', 'log-present']);

  // The hang: one cause, the other three folded under it.
  const rc = hang.rootCause!;
  t.equal(rc.causes.length, 1, 'one root cause');
  t.same([rc.causes[0]!.kind, rc.causes[0]!.check], ['escalation', 'no-escalation']);
  t.same(rc.causes[0]!.explains.map((x) => x.check), ['exit-status', 'time-to-exit', 'log-present'], 'its 3 consequences');
  t.match(rc.headline, /^did not exit after SIGINT \(it went to the wrapper `sh -c node app\.mjs --port \d+; echo wrapper-done` \(pid \d+\) only, not to its child `node app\.mjs --port \d+` \(pid \d+\)\): still running 3\.\d s later, so it was killed with SIGKILL$/);
  // The orphan: the wrapper's exit is the cause.
  const orc = orphan.rootCause!;
  t.same(orc.causes.map((c) => [c.kind, c.check, c.explains.map((x) => x.check)]), [['wrapper-exit', 'no-orphans', ['log-present']]]);
  t.match(orc.headline, /^the wrapper `sh -c node app\.mjs --port \d+; echo wrapper-done` \(pid \d+\) exited \(signal SIGTERM \(143\)\) [\d.]+ m?s after SIGTERM and left its child `node app\.mjs --port \d+` \(pid \d+\) running$/);

  // Console: the headline right under the run's line, then every failed check.
  const lines = r.stdout.split('\n');
  const at = lines.findIndex((l) => l.includes(`fail    ${HANG}`));
  t.ok(at >= 0, 'the run line');
  t.equal(lines[at + 1], `    → ${rc.headline}`, 'the headline comes first');
  t.same(lines.slice(at + 2, at + 6).map((l) => l.trim().split(/[ :]/)[0]), ['no-escalation', 'exit-status', 'time-to-exit', 'log-present'], 'then the cause and its folded checks');
  t.match(lines[at + 3], /^ {4}exit-status \(follows from no-escalation: /);

  // JUnit: the headline as the message (no JSON), the records in the body; file= on the testcase.
  const junit = (await parse(fs.readFileSync(path.join(r.outDir, 'junit.xml'), 'utf8'))) as TestSuites;
  const cases = junit.testsuite!.flatMap((s) => s.testcase ?? []);
  const hangCase = cases.find((c) => c.name === HANG)!;
  t.equal(hangCase.failure![0]!.message, rc.headline);
  t.notMatch(hangCase.failure![0]!.message!, /[{}"]/, 'no JSON in message=');
  t.match(hangCase.failure![0]!.inner!, /exit-status \(fail\): follows from no-escalation: .*\n {2}expected: \{"codes":\[0,130,143\],"signals":\[\]\}/);
  t.equal(fs.readFileSync(path.join(r.outDir, 'junit.xml'), 'utf8').match(/file="test\/report\/unmarked-wrapper\.scenario\.ts"/g)?.length, 2, 'file= on each testcase');

  // GitHub summary: the headline, then the failed checks with their cause.
  const md = fs.readFileSync(summary, 'utf8').replace(/\\([!-/:-@[-`{-~])/g, '$1');
  const row = md.split('\n').find((l) => l.includes(HANG))!;
  t.ok(row.includes(`**${rc.headline}**<br>no-escalation, exit-status (follows from no-escalation), time-to-exit (follows from no-escalation), log-present (follows from no-escalation)`), row);
  t.same(survivors(mark), [], 'no process left behind');
});

t.test('an orphan in the group tini made: no-orphans and the headline say tini put it there (not "escaped")', { skip: spawnSync('tini', ['--version'], { stdio: 'ignore' }).status === 0 ? false : 'tini not installed' }, async (t) => {
  const mark = newMark();
  const out = tempDir('drill-rc-tini-');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(out, { recursive: true, force: true });
  });
  const r = await runCli(['run', path.join(FIXTURES, 'placement/tini.scenario.yaml')], { mark, cwd: ROOT, outDir: out });
  t.equal(r.code, 1, r.stderr.slice(-300));
  const run = r.results!.runs[0]!;
  const check = run.checks.find((c) => c.name === 'no-orphans')!;
  t.equal(check.status, 'fail');
  t.match(check.message, /^1 process outlived the target \(1 outside the target's process group\): \d+ .*node -e .*\(in the process group that `tini -s -- node leaves-grandchild\.mjs` \(pid \d+\), an init, made for its child `node leaves-grandchild\.mjs` \(pid \d+\)\); the harness killed it/);
  t.notMatch(check.message, /escaped/);
  t.match(run.rootCause!.headline, /^the wrapper `tini -s -- node leaves-grandchild\.mjs` \(pid \d+\) exited \(code 0\) [\d.]+ m?s after SIGTERM and left its descendant `node -e .*` \(pid \d+, in the process group that `tini/);
  t.same(survivors(mark), []);
});
