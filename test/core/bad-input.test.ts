// A malformed scenario exits 2 and lists every problem at once, with file and field path.
import t from 'tap';
import { killSurvivors, newMark, runCli, writeScenario } from '../helpers/cli.js';

const mark = newMark();
t.teardown(() => {
  killSurvivors(mark);
});

t.test('every problem of a malformed scenario is listed, exit 2', async (t) => {
  const file = writeScenario(`
- name: broken
  target: { command: 42, argz: [] }
  strike: { at: { afterReadyMs: -5 }, signal: SIGTERMINATE }
  expect: { exit: { codes: ['zero'] }, timeToExitMs: { max: 100, unit: s } }
`);
  const r = await runCli(['run', file], { mark });
  t.equal(r.code, 2);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const lines = [
    /target\.command: expected string, received 42 \(number\)/,
    /target: unknown field `argz`/,
    /strike\.at\.afterReadyMs: .*>=0.*received -5/,
    /strike\.signal: expected one of .*"SIGTERM".*received "SIGTERMINATE"/,
    /expect\.exit\.codes\[0\]: expected number, received "zero"/,
    /expect\.timeToExitMs: unknown field `unit`/,
  ];
  for (const re of lines) t.match(r.stderr, re);
  t.match(r.stderr, /test\.scenario\.yaml \(scenario "broken"\)/, 'names the file and scenario');
  t.match(r.stderr, /6 problems in the scenarios/);
  t.equal(r.results, undefined, 'nothing ran');
});

t.test('usage errors exit 2', async (t) => {
  const r = await runCli(['run', '--repeat', '0'], { mark });
  t.equal(r.code, 2);
  t.match(r.stderr, /--repeat must be an integer >= 1, got "0"/);
  const g = await runCli(['run', 'no/such/*.scenario.yaml'], { mark });
  t.equal(g.code, 2);
  t.match(g.stderr, /no\/such\/\*\.scenario\.yaml: the glob matches no file/);
  const u = await runCli(['frobnicate'], { mark });
  t.equal(u.code, 2);
  t.match(u.stderr, /unknown command "frobnicate"/);
});

t.test('a JSON scenario with a syntax error names the line and column', async (t) => {
  const file = writeScenario('{\n  "name": "x",\n  "target": { "command": "node", }\n}\n', 'bad.scenario.json');
  const r = await runCli(['run', file], { mark });
  t.equal(r.code, 2);
  t.match(r.stderr, /bad\.scenario\.json:3:34: JSON: /);
});
