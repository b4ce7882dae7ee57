// Scenario files in TS and YAML: matrix expansion, run names, list, schema, triggers, seeds.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { combinations, expandScenario, paramsText } from '../../harness/scenario/matrix.js';
import { FIXTURES, killSurvivors, newMark, runCli, runEvents, survivors, tempDir, writeScenario } from '../helpers/cli.js';

const T = path.join(FIXTURES, 'targets');
const mark = newMark();
t.teardown(() => {
  killSurvivors(mark);
});

t.test('matrix expansion and run names', async (t) => {
  t.same(combinations({ a: [1, 2], b: ['x', 'y'] }), [{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 2, b: 'x' }, { a: 2, b: 'y' }]);
  t.equal(paramsText({ signal: 'SIGTERM', at: { afterReadyMs: 500 } }), 'signal=SIGTERM,at=afterReadyMs:500');
  const { runs, problems } = expandScenario({
    name: 'm', target: { command: 'x', args: ['--sig={signal}'] },
    matrix: { signal: ['SIGTERM', 'SIGHUP'], deliver: ['process', 'tree'] },
    strike: { at: { afterReadyMs: 1 }, signal: 'SIGINT' }, expect: { exit: { codes: [0] } },
  }, 'test');
  t.same(problems, []);
  t.same(runs.map((r) => r.name), ['m[signal=SIGTERM,deliver=process]', 'm[signal=SIGTERM,deliver=tree]', 'm[signal=SIGHUP,deliver=process]', 'm[signal=SIGHUP,deliver=tree]']);
  t.same(runs.map((r) => [r.spec.strike!.signal, r.spec.strike!.deliver, r.spec.target.args[0]]), [
    ['SIGTERM', 'process', '--sig=SIGTERM'], ['SIGTERM', 'tree', '--sig=SIGTERM'], ['SIGHUP', 'process', '--sig=SIGHUP'], ['SIGHUP', 'tree', '--sig=SIGHUP'],
  ]);
  t.equal(runs[0]!.spec.strike!.escalate && runs[0]!.spec.strike!.escalate.afterMs, 10_000, 'escalation defaults to SIGKILL after 10 s');
});

t.test('a TS scenario runs through the CLI; list shows the expanded runs', async (t) => {
  const file = path.join(FIXTURES, 'scenarios/matrix.scenario.ts');
  const list = await runCli(['list', file], { mark });
  t.equal(list.code, 0);
  t.match(list.stdout, /^ts-matrix\[signal=SIGTERM,at=afterReadyMs:10\]  test\/fixtures\/scenarios\/matrix\.scenario\.ts$/m);
  t.match(list.stdout, /^4 runs$/m);
  const r = await runCli(['run', file], { mark });
  t.equal(r.code, 0, r.stdout);
  t.same(r.results!.runs.map((x) => [x.id, x.verdict]), [
    ['ts-matrix[signal=SIGTERM,at=afterReadyMs:10]', 'pass'], ['ts-matrix[signal=SIGTERM,at=onLog:^ready]', 'pass'],
    ['ts-matrix[signal=SIGINT,at=afterReadyMs:10]', 'pass'], ['ts-matrix[signal=SIGINT,at=onLog:^ready]', 'pass'],
  ]);
  const logRun = r.results!.runs[1]!;
  const fired = runEvents(r.outDir, logRun.history).find((e) => e.type === 'trigger:fired')!;
  const line = runEvents(r.outDir, logRun.history).find((e) => e.type === 'log:line' && e['line'] === 'ready')!;
  t.equal(fired['intendedT'], line.t, 'a log trigger aims at the moment the line arrived');
  t.same(survivors(mark), []);
});

t.test('random trigger: the seed is recorded and --seed replays the same moment', async (t) => {
  const file = writeScenario(`
- name: random
  target: { command: node, args: ['${T}/graceful.mjs'], ready: { log: '^ready' } }
  strike: { at: { randomInMs: [0, 200] }, signal: SIGTERM }
  expect: { exit: { codes: [0] } }
`);
  const offsets: number[] = [];
  for (let i = 0; i < 2; i++) {
    const r = await runCli(['run', file, '--seed', '4242'], { mark });
    t.equal(r.code, 0);
    t.equal(r.results!.runs[0]!.seed, 4242);
    const ev = runEvents(r.outDir, r.results!.runs[0]!.history);
    const ready = ev.find((e) => e.type === 'target:ready')!;
    const fired = ev.find((e) => e.type === 'trigger:fired')!;
    offsets.push(Math.round(((fired['intendedT'] as number) - ready.t) * 1000) / 1000);
    t.match(fired['reason'], /^seed 4242 drew /);
  }
  t.equal(offsets[0], offsets[1], `same offset from ready (${offsets[0]} ms)`);
  t.ok(offsets[0]! >= 0 && offsets[0]! <= 200);
});

t.test('file trigger: strike when a file reaches a size', async (t) => {
  const file = writeScenario(`
- name: on-file
  target: { command: node, args: ['${T}/graceful.mjs', '--file', '{tmp}/marker.txt'], cwd: '{tmp}', ready: { log: '^ready' } }
  strike: { at: { onFile: 'marker.txt', minSize: 1 }, signal: SIGTERM }
  expect: { exit: { codes: [0] } }
`);
  const r = await runCli(['run', file], { mark });
  t.equal(r.code, 0, r.stdout);
  const fired = runEvents(r.outDir, r.results!.runs[0]!.history).find((e) => e.type === 'trigger:fired')!;
  t.equal(fired['reason'], 'marker.txt is 1 B');
});

t.test('a target that never gets ready is an error naming the probe, with its output', async (t) => {
  const file = writeScenario(`
- name: never-ready
  target: { command: node, args: ['${T}/graceful.mjs'], ready: { log: '^listening', timeoutMs: 3000 } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] } }
- name: needs-missing-tool
  requires: { commands: [no-such-tool-xyz] }
  target: { command: no-such-tool-xyz }
  expect: { exit: { codes: [0] } }
`);
  const r = await runCli(['run', file], { mark });
  t.equal(r.code, 1);
  const [never, missing] = r.results!.runs;
  t.equal(never!.verdict, 'error');
  t.equal(never!.errorCode, 'TARGET_NOT_READY');
  t.match(never!.reason, /was not ready after 3000 ms \(still waiting for: log \/\^listening\/\)/);
  t.match(never!.reason, /Last output:\n {2}\[stdout\] ready/);
  t.equal(missing!.verdict, 'skipped');
  t.equal(missing!.reason, 'requires no-such-tool-xyz, not found on PATH: install no-such-tool-xyz to run it');
  t.same(survivors(mark), []);
});

t.test('schema prints a JSON Schema for YAML editors', async (t) => {
  const r = await runCli(['schema'], { mark });
  t.equal(r.code, 0);
  const schema = JSON.parse(r.stdout) as { $schema: string; anyOf: Array<{ properties?: Record<string, unknown> }> };
  t.match(schema.$schema, /2020-12/);
  t.ok(schema.anyOf[0]!.properties!['target'] && schema.anyOf[0]!.properties!['strike'] && schema.anyOf[0]!.properties!['matrix']);
  const dir = tempDir();
  fs.rmSync(dir, { recursive: true });
});
