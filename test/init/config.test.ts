// Issue 15 item 1: shutdown-drill.config.json|ts gives suite defaults (out dir, concurrency,
// reporters, escalation, budgets); flags and scenario fields win; the defaults are recorded in
// each run's spec.json; a bad config is exit 2 naming the file and the key; a TS config that exits
// does not decide the exit code.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { CLI, FIXTURES, killSurvivors, newMark, survivors, tempDir } from '../helpers/cli.js';

const T = path.join(FIXTURES, 'targets');
const mark = newMark();
t.teardown(() => {
  killSurvivors(mark);
});

function drill(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, CI: '1', DRILL_TEST_MARK: mark, GITHUB_STEP_SUMMARY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// A project with two runs: `own` sets its escalation and budget, `bare` leaves them to the config.
function project(): string {
  const dir = tempDir('drill-config-');
  fs.mkdirSync(path.join(dir, 'scenarios'));
  fs.writeFileSync(path.join(dir, 'scenarios/a.scenario.yaml'), `
- name: bare
  target: { command: node, args: ['${T}/graceful.mjs'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
- name: own
  target: { command: node, args: ['${T}/graceful.mjs'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM, escalate: { afterMs: 7000 } }
  expect: { timeToExitMs: { max: 9000 }, exit: { codes: [0] } }
`);
  return dir;
}
const spec = (out: string, id: string): Record<string, any> => {
  const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
  const run = results.runs.find((r: { id: string }) => r.id === id);
  return JSON.parse(fs.readFileSync(path.join(out, path.dirname(run.history), 'spec.json'), 'utf8'));
};

t.test('JSON config: defaults fill unset fields only, recorded in spec.json; --out wins', async (t) => {
  const dir = project();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'shutdown-drill.config.json'), JSON.stringify({
    out: 'reports/ci', concurrency: 2, reporters: { junit: false },
    escalate: { afterMs: 20000, signal: 'SIGKILL' }, expect: { timeToExitMs: { max: 3000 }, exit: { codes: [0] }, noEscalation: true },
  }));
  const r = await drill(['run'], dir);
  t.equal(r.code, 0, r.stdout + r.stderr);
  const out = path.join(dir, 'reports/ci');
  t.ok(fs.existsSync(path.join(out, 'index.html')), 'html on');
  t.notOk(fs.existsSync(path.join(out, 'junit.xml')), 'junit off by the config');
  const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
  t.equal(results.options.concurrency, 2);
  t.equal(results.options.config.file, 'shutdown-drill.config.json');
  const bare = spec(out, 'bare');
  t.same(bare.strike.escalate, { afterMs: 20000, signal: 'SIGKILL' });
  t.same(bare.expect.timeToExitMs, { max: 3000, from: 'first-signal' });
  t.equal(bare.expect.noEscalation, true);
  const own = spec(out, 'own');
  t.same(own.strike.escalate, { afterMs: 7000, signal: 'SIGKILL' }, 'the scenario wins');
  t.same(own.expect.timeToExitMs, { max: 9000, from: 'first-signal' }, 'the scenario wins');
  t.same(results.runs.find((x: { id: string }) => x.id === 'bare').checks.map((c: { name: string }) => c.name).sort(), ['exit-status', 'no-escalation', 'no-orphans', 'time-to-exit']);

  const flags = await drill(['run', '--out', 'elsewhere', '--concurrency', '1'], dir);
  t.equal(flags.code, 0, flags.stderr);
  t.equal(JSON.parse(fs.readFileSync(path.join(dir, 'elsewhere/results.json'), 'utf8')).options.concurrency, 1, 'flags win');
  t.same(survivors(mark), []);
});

t.test('invalid configs: exit 2 naming the file and the key', async (t) => {
  const dir = project();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cfg = path.join(dir, 'shutdown-drill.config.json');
  fs.writeFileSync(cfg, JSON.stringify({ concurency: 2, escalate: { afterMs: -1 } }));
  let r = await drill(['run'], dir);
  t.equal(r.code, 2);
  t.match(r.stderr, /shutdown-drill\.config\.json: .*unknown field `concurency`/);
  t.match(r.stderr, /shutdown-drill\.config\.json: escalate/);
  fs.writeFileSync(cfg, '{ "out": ');
  r = await drill(['run'], dir);
  t.equal(r.code, 2);
  t.match(r.stderr, /shutdown-drill\.config\.json: not valid JSON/);
  fs.writeFileSync(path.join(dir, 'shutdown-drill.config.ts'), 'export default {}\n');
  r = await drill(['run'], dir);
  t.equal(r.code, 2);
  t.match(r.stderr, /two config files/);
  r = await drill(['run', '--config', 'missing.json'], dir);
  t.equal(r.code, 2);
  t.match(r.stderr, /--config missing\.json: no such file/);
});

t.test('TS config: loaded in isolation; one that exits(0) is exit 2, never a pass', async (t) => {
  const dir = project();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'drill.config.ts'), "const budget: number = 4000;\nexport default { out: 'reports/ts', expect: { timeToExitMs: { max: budget } } };\n");
  let r = await drill(['run', '--config', 'drill.config.ts'], dir);
  t.equal(r.code, 0, r.stderr);
  t.same(spec(path.join(dir, 'reports/ts'), 'bare').expect.timeToExitMs, { max: 4000, from: 'first-signal' });
  fs.writeFileSync(path.join(dir, 'shutdown-drill.config.ts'), 'process.exit(0);\nexport default {};\n');
  r = await drill(['run'], dir);
  t.equal(r.code, 2, r.stdout + r.stderr);
  t.match(r.stderr, /shutdown-drill\.config\.ts: ended the config loader \(exit code 0\) before exporting a config/);
  t.same(survivors(mark), []);
});
