// --grep selects runs, --bail stops after the first failure and says why the rest did not run.
import t from 'tap';
import path from 'node:path';
import { FIXTURES, killSurvivors, newMark, runCli, survivors, writeScenario } from '../helpers/cli.js';

const T = path.join(FIXTURES, 'targets');
const mark = newMark();
t.teardown(() => {
  killSurvivors(mark);
});

const file = writeScenario(`
- name: a-fails
  target: { command: node, args: ['${T}/graceful.mjs', '--code', '3'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] } }
- name: b-passes
  target: { command: node, args: ['${T}/graceful.mjs'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] } }
`);

t.test('--grep', async (t) => {
  const r = await runCli(['run', file, '--grep', '^b-'], { mark });
  t.equal(r.code, 0);
  t.same(r.results!.runs.map((x) => x.id), ['b-passes']);
  // Fails closed (a suite that ran nothing does not pass): see test/core/gates.test.ts.
  const none = await runCli(['run', file, '--grep', 'nothing-matches'], { mark });
  t.equal(none.code, 1);
  t.match(none.stderr, /no run matches --grep nothing-matches/);
});

t.test('--bail', async (t) => {
  const r = await runCli(['run', file, '--bail'], { mark });
  t.equal(r.code, 1);
  t.same(r.results!.runs.map((x) => [x.id, x.verdict, x.reason ?? null]), [
    ['a-fails', 'fail', null],
    ['b-passes', 'skipped', 'not run: --bail stopped the suite after a failure'],
  ]);
  t.match(r.results!.runs[0]!.checks[0]!.message, /exited with code 3, expected code 0/);
  t.same(survivors(mark), []);
});
