// Issue 11, item 4 "Evidence rules": checks that passed without the evidence they claim, each
// driven through the real CLI on real fixture targets (test/fixtures/evidence/).
import path from 'node:path';
import t, { type Test } from 'tap';
import { FIXTURES, killSurvivors, newMark, runCli, runEvents, survivors, writeScenario, type CliResult } from '../helpers/cli.js';

const E = path.join(FIXTURES, 'evidence');
type Check = { name: string; passed: boolean; status?: string; message: string; actual: any };
type Run = NonNullable<CliResult['results']>['runs'][number];

async function run(t: Test, label: string, yaml: string, extra: string[] = []): Promise<CliResult> {
  const mark = newMark(label);
  t.teardown(() => {
    killSurvivors(mark);
  });
  const r = await runCli(['run', writeScenario(yaml), ...extra], { mark });
  t.same(survivors(mark), [], 'no process left behind');
  return r;
}
const checkOf = (r: Run, name: string): Check => {
  const c = (r.checks as Check[]).find((x) => x.name === name);
  if (!c) throw new Error(`no check ${name} in ${r.id}`);
  return c;
};
const byParam = (res: CliResult, key: string): Record<string, Run> =>
  Object.fromEntries((res.results?.runs ?? []).map((r) => [String((r.params as Record<string, unknown>)[key]), r]));

t.test('files-absent sees a stale Unix socket, a FIFO, a dangling symlink and a directory the glob names', async (t) => {
  const res = await run(t, 'files-kinds', `
- name: leaves
  matrix: { kind: [socket, fifo, symlink, dir, none] }
  target: { command: node, args: ['${E}/leaves-entries.mjs', '{kind}', 'app.sock'], cwd: '{tmp}', ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] }, filesAbsent: ['*.sock'] }
`);
  t.equal(res.code, 1, res.stderr);
  const runs = byParam(res, 'kind');
  for (const kind of ['socket', 'fifo', 'symlink', 'dir']) {
    const c = checkOf(runs[kind]!, 'files-absent');
    t.equal(c.status, 'fail', `${kind}: ${c.message}`);
    t.same(c.actual, { found: ['app.sock'] }, kind);
    t.match(c.message, new RegExp(`app\\.sock \\(${kind}, `), kind);
  }
  t.equal(checkOf(runs['none']!, 'files-absent').status, 'pass', 'nothing left: pass');
  t.equal(runs['none']!.verdict, 'pass');
});

t.test('a filesDir that does not exist is an error for files-absent and files-intact, never a pass', async (t) => {
  const res = await run(t, 'files-nodir', `
- name: nodir
  target: { command: node, args: ['${E}/prints.mjs'], cwd: '{tmp}', ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] }, filesDir: 'no-such-dir', filesAbsent: ['*.part'], filesIntact: ['data.db'] }
`);
  const r = res.results!.runs[0]!;
  t.equal(r.verdict, 'error');
  t.equal(res.code, 1);
  for (const name of ['files-absent', 'files-intact']) {
    const c = checkOf(r, name);
    t.equal(c.status, 'error', name);
    t.match(c.message, /no-such-dir \(expect\.filesDir\) does not exist/, name);
  }
});

t.test("a service's line does not satisfy the target's log expectations; `source` names the service", async (t) => {
  const r2 = await run(t, 'log-source', `
- name: target-expects-svc-line
  services: [{ name: svc, command: node, args: ['${E}/prints.mjs', 'svc-line'], ready: { log: '^ready' } }]
  target: { command: node, args: ['${E}/prints.mjs', 'target-line'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] }, logPresent: ['^svc-line$'] }
- name: named-source
  services: [{ name: svc, command: node, args: ['${E}/prints.mjs', 'svc-line'], ready: { log: '^ready' } }]
  target: { command: node, args: ['${E}/prints.mjs', 'target-line'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect:
    exit: { codes: [0] }
    logPresent: ['^target-line$', { pattern: '^svc-line$', source: svc }]
    logAbsent: ['^svc-line$', { pattern: '^target-line$', source: svc }]
    logOrder: [{ pattern: '^svc-line$', source: svc }, '^target-line$', '^goodbye$']
- name: unknown-source
  target: { command: node, args: ['${E}/prints.mjs', 'target-line'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] }, logAbsent: [{ pattern: 'x', source: svc }] }
`);
  const runs = Object.fromEntries(r2.results!.runs.map((r) => [r.scenario, r]));
  const wrong = checkOf(runs['target-expects-svc-line']!, 'log-present');
  t.equal(wrong.status, 'fail', wrong.message);
  t.equal(wrong.message, 'never printed: /^svc-line$/');
  const named = runs['named-source']!;
  t.same((named.checks as Check[]).map((c) => [c.name, c.status]), [
    ['exit-status', 'pass'], ['no-escalation', 'pass'], ['no-orphans', 'pass'], ['log-present', 'pass'], ['log-absent', 'pass'], ['log-order', 'pass'],
  ]);
  t.equal(named.verdict, 'pass');
  t.ok(runEvents(r2.outDir, named.history).some((e) => e.type === 'log:line' && e['source'] === 'svc' && e['line'] === 'svc-line'), "the service's line is in the history, with its source");
  const unknown = checkOf(runs['unknown-source']!, 'log-absent');
  t.equal(unknown.status, 'error');
  t.match(unknown.message, /source "svc" of \/x\/ names no service of this run/);
});

// new-work-rejected: the harness's own connections after the signal are the evidence.
const newWork = (mode: string, load = ''): string => `
- name: new-work-${mode}${load ? '-load' : ''}
  target: { command: node, args: ['${E}/new-work.mjs', '--port', '{port}', '--mode', '${mode}'], ready: { http: '/' } }
  ${load}
  strike: { at: { afterReadyMs: 100 }, signal: SIGTERM }
  expect: { exit: { codes: [0] }, newWorkRejected: true }
`;

t.test('new-work-rejected on a fast-exiting server: the same verdict in 10 of 10 repeats, stating what it judged', async (t) => {
  const res = await run(t, 'nwr-fast', newWork('fast', "load: [{ http: { connections: 2, engine: tracked, keepAlive: false, rate: 200, durationMs: 20000 } }]"), ['--repeat', '10']);
  const runs = res.results!.runs;
  t.equal(runs.length, 10);
  const checks = runs.map((r) => checkOf(r, 'new-work-rejected'));
  t.same(checks.map((c) => c.status), Array(10).fill('pass'), checks.map((c) => c.message).join('\n'));
  t.same(runs.map((r) => r.verdict), Array(10).fill('pass'));
  t.equal(res.code, 0);
  for (const [i, c] of checks.entries()) {
    t.ok(c.actual.turnedAway >= 2, `at least 2 operations turned away: ${c.message}`);
    // The two probes made after the exit are refused (the port is closed). A probe started while
    // the harness still thought the target alive, but after the exit's own time (the strike
    // thread saw the zombie first: target/exit-watch.ts), counts as after the exit too, refused.
    const events = runEvents(res.outDir, runs[i]!.history);
    const exitT = events.find((e) => e.type === 'target:exit')!.t;
    const probes = events.filter((e) => e.type === 'request:start' && e['driver'] === 'harness:new-work');
    const explicit = probes.filter((e) => e['op'] === 'new-work after-exit');
    const lateAlive = probes.filter((e) => e['op'] === 'new-work alive' && e.t >= exitT);
    t.equal(explicit.length, 2, 'two probes made after the exit');
    t.equal(c.actual.probes.afterExit.refused, explicit.length + lateAlive.length, `every probe started after the exit was refused: ${c.message}`);
    t.match(c.message, new RegExp(`judged \\d+ load operations?.* and \\d+ harness probes? \\(while alive: .*; after the exit: refused ${explicit.length + lateAlive.length}\\)`));
  }
});

t.test('new-work-rejected passes for a server that answers 503 and fails for one that keeps serving', async (t) => {
  const res = await run(t, 'nwr-modes', newWork('reject') + newWork('serve'));
  const runs = Object.fromEntries(res.results!.runs.map((r) => [r.scenario, r]));
  const rejects = checkOf(runs['new-work-reject']!, 'new-work-rejected');
  t.equal(rejects.status, 'pass', rejects.message);
  t.ok(rejects.actual.probes.whileAlive.rejected >= 2, `503s while alive: ${rejects.message}`);
  // The 2 after-exit probes, and any alive probe that started between the exit and the probe
  // loop's notice of it (the exit is stamped as the strike thread saw it): all refused.
  const events = runEvents(res.outDir, runs['new-work-reject']!.history);
  const exitT = events.find((e) => e.type === 'target:exit')!.t;
  const probes = events.filter((e) => e.type === 'request:start' && e['driver'] === 'harness:new-work');
  t.equal(probes.filter((e) => e['op'] === 'new-work after-exit').length, 2, 'two probes made after the exit');
  t.same(rejects.actual.probes.afterExit, { refused: probes.filter((e) => e.t >= exitT).length }, 'every probe started after the exit was refused');
  t.equal(rejects.actual.load.operations, 0, 'no load: the harness probes alone are the evidence');
  const serves = checkOf(runs['new-work-serve']!, 'new-work-rejected');
  t.equal(serves.status, 'fail', serves.message);
  t.match(serves.message, /were not rejected cleanly \(served \(probe\) \d+\)/);
  t.ok(serves.actual.probes.whileAlive.ok >= 2, serves.message);
  t.equal(runs['new-work-serve']!.verdict, 'fail');
  t.equal(res.code, 1);
});
