// End-to-end: the CLI drives real fixture targets and the verdicts are exact.
import t from 'tap';
import path from 'node:path';
import { FIXTURES, killSurvivors, newMark, runCli, runEvents, survivors, writeScenario } from '../helpers/cli.js';

const T = path.join(FIXTURES, 'targets');

const scenarios = writeScenario(`
- name: graceful
  target: { command: node, args: ['${T}/graceful.mjs'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 20 }, signal: SIGTERM }
  expect: { exit: { codes: [0] }, timeToExitMs: { max: 5000 }, logPresent: [goodbye] }
- name: ignores
  target: { command: node, args: ['${T}/ignores-signals.mjs'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM, escalate: { afterMs: 400 } }
  expect: { exit: { codes: [0, 143] } }
- name: partial
  matrix: { cleanup: ['--cleanup', '--no-cleanup'] }
  target: { command: node, args: ['${T}/partial-files.mjs', '{tmp}', '{cleanup}'], cwd: '{tmp}', ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] }, filesAbsent: ['*.part'], filesIntact: [{ path: a.done, size: 8 }] }
- name: orphan
  matrix: { setsid: ['--setsid', '--plain'] }
  target: { command: node, args: ['${T}/leaves-child.mjs', '{setsid}'], ready: { log: 'child up' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] } }
- name: double
  target: { command: node, args: ['${T}/double-signal.mjs'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: [SIGINT, { signal: SIGINT, afterMs: 300 }], deliver: group }
  expect: { exit: { codes: [130] }, logOrder: ['shutting down', 'forced'] }
- name: hup
  target: { command: node, args: ['${T}/graceful.mjs', '--hup'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGHUP }
  expect: { stillRunning: { forMs: 300 }, logPresent: [reloaded] }
`);

const mark = newMark();
t.teardown(() => {
  killSurvivors(mark);
});

t.test('the core suite gives exact verdicts and leaves no process behind', async (t) => {
  const r = await runCli(['run', scenarios, '--concurrency', '2'], { mark });
  t.equal(r.code, 1, 'a check failed, so exit 1');
  t.ok(r.results, 'results.json written');
  const runs = new Map(r.results!.runs.map((x) => [x.id, x]));
  const failing = (id: string): string[] => runs.get(id)!.checks.filter((c) => c.status !== 'pass').map((c) => c.name);
  t.same([...runs.keys()].sort(), ['double', 'graceful', 'hup', 'ignores', 'orphan[setsid=--plain]', 'orphan[setsid=--setsid]', 'partial[cleanup=--cleanup]', 'partial[cleanup=--no-cleanup]']);

  const graceful = runs.get('graceful')!;
  t.equal(graceful.verdict, 'pass');
  t.same(graceful.exit, { code: 0, signal: null, shellCode: 0 });
  t.same(graceful.checks.map((c) => [c.name, c.status]), [['exit-status', 'pass'], ['time-to-exit', 'pass'], ['no-escalation', 'pass'], ['no-orphans', 'pass'], ['log-present', 'pass']]);
  t.type(graceful.metrics.timeToExitMs, 'number');

  const ignores = runs.get('ignores')!;
  t.equal(ignores.verdict, 'fail');
  t.same(failing('ignores'), ['exit-status', 'no-escalation']);
  t.same(ignores.exit, { code: null, signal: 'SIGKILL', shellCode: 137 });
  const signals = runEvents(r.outDir, ignores.history).filter((e) => e.type === 'signal:sent');
  t.same(signals.map((s) => [s['signal'], s['escalation'], s['deliver']]), [['SIGTERM', false, 'process'], ['SIGKILL', true, 'tree']]);
  t.equal(Math.round(((signals[1]!['intendedT'] as number) - (signals[0]!['sentT'] as number)) * 1000) / 1000, 400, 'escalation planned exactly 400 ms after SIGTERM was sent');
  t.ok((signals[1]!['sentT'] as number) >= (signals[1]!['intendedT'] as number), 'never sent early');

  t.equal(runs.get('partial[cleanup=--cleanup]')!.verdict, 'pass');
  t.same(failing('partial[cleanup=--no-cleanup]'), ['files-absent']);
  const absent = runs.get('partial[cleanup=--no-cleanup]')!.checks.find((c) => c.name === 'files-absent')!;
  t.same(absent.actual, { found: ['b.part'] });

  for (const id of ['orphan[setsid=--setsid]', 'orphan[setsid=--plain]']) {
    t.same(failing(id), ['no-orphans'], `${id} fails no-orphans only`);
    const check = runs.get(id)!.checks.find((c) => c.name === 'no-orphans')!;
    t.same(check.actual, { survivors: 1, stillAliveAfterKill: 0 });
    t.equal((check.details![0] as { escapedGroup: boolean }).escapedGroup, id.includes('setsid=--setsid'), 'escape from the group is reported');
  }

  const double = runs.get('double')!;
  t.equal(double.verdict, 'pass');
  const ints = runEvents(r.outDir, double.history).filter((e) => e.type === 'signal:sent');
  t.same(ints.map((s) => [s['signal'], s['step'], s['deliver']]), [['SIGINT', 0, 'group'], ['SIGINT', 1, 'group']]);
  t.equal(Math.round(((ints[1]!['intendedT'] as number) - (ints[0]!['sentT'] as number)) * 1000) / 1000, 300, 'second SIGINT planned 300 ms after the first was sent');
  t.ok((ints[1]!['sentT'] as number) - (ints[0]!['sentT'] as number) >= 299, 'both actual times recorded, 300 ms apart');
  t.same(double.exit, { code: 130, signal: null, shellCode: 130 });

  const hup = runs.get('hup')!;
  t.equal(hup.verdict, 'pass');
  t.same(hup.checks.map((c) => [c.name, c.status]), [['no-orphans', 'pass'], ['log-present', 'pass'], ['still-running', 'pass']]);

  t.same(survivors(mark), [], 'no process carrying the test marker survives');
});
