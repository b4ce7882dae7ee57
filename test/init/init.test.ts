// Issue 15 item 1: `init` scaffolds a scenario that `run` accepts, which passes on a correct app
// and fails on a broken one (through the real CLI); it reads package.json, Procfile and Dockerfile,
// asks only on a TTY (else exit 2 naming the flag) and never overwrites without --force.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { detectApp, splitCommand } from '../../harness/init/detect.js';
import { init } from '../../harness/init/command.js';
import { FIXTURES, killSurvivors, newMark, ROOT, runCli, survivors, tempDir } from '../helpers/cli.js';

const APP = path.join(FIXTURES, 'init/app.mjs');
const mark = newMark();
t.teardown(() => {
  killSurvivors(mark);
});

// An empty project with the fixture app, its package.json saying how it starts.
function project(pkg: Record<string, unknown>): string {
  const dir = tempDir('drill-init-');
  fs.copyFileSync(APP, path.join(dir, 'app.mjs'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
  return dir;
}

// init in this process, without a terminal (or with scripted answers), its output kept.
function quiet(cwd: string, answers?: string[]): { cwd: string; prompt: ((q: string) => Promise<string>) | undefined; out: (s: string) => void; err: (s: string) => void; said: string[]; asked: string[] } {
  const said: string[] = [];
  const asked: string[] = [];
  return {
    cwd, said, asked, out: (s) => said.push(s), err: (s) => said.push(s),
    prompt: answers && (async (q) => {
      asked.push(q);
      return answers.shift() ?? '';
    }),
  };
}

function checksOf(r: Awaited<ReturnType<typeof runCli>>): Record<string, boolean> {
  return Object.fromEntries(r.results!.runs[0]!.checks.map((c) => [c.name, c.passed]));
}

t.test('YAML from package.json start: green on the correct app, red on the broken one', async (t) => {
  const dir = project({ name: '@acme/shop', scripts: { start: 'node app.mjs' } });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const made = await runCli(['init', '--http', '/healthz'], { mark, cwd: dir });
  t.equal(made.code, 0, made.stderr);
  t.match(made.stderr, /found how your app starts in package\.json start/);
  t.same(fs.readdirSync(path.join(dir, 'scenarios')).sort(), ['scenario.schema.json', 'shop.scenario.yaml']);
  const text = fs.readFileSync(path.join(dir, 'scenarios/shop.scenario.yaml'), 'utf8');
  t.match(text, /^# yaml-language-server: \$schema=\.\/scenario\.schema\.json\n/);
  t.match(text, /args: \["app\.mjs"\]/);
  t.match(text, /TUNE/);

  const green = await runCli(['run'], { mark, cwd: dir });
  t.equal(green.code, 0, green.stdout + green.stderr);
  t.same(checksOf(green), { 'exit-status': true, 'time-to-exit': true, 'no-escalation': true, 'no-orphans': true, 'no-reset': true });

  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'shop', scripts: { start: 'node app.mjs --broken' } }));
  await t.rejects(init(['--http', '/healthz', '--name', 'shop'], quiet(dir)), { code: 'USAGE', message: /scenarios\/shop\.scenario\.yaml exists: pass --force/ }, 'an existing scenario is not overwritten');
  t.equal(fs.readFileSync(path.join(dir, 'scenarios/shop.scenario.yaml'), 'utf8'), text, 'the file is unchanged');
  t.equal(await init(['--http', '/healthz', '--name', 'shop', '--force'], quiet(dir)), 0);
  const red = await runCli(['run'], { mark, cwd: dir });
  t.equal(red.code, 1, red.stdout + red.stderr);
  t.equal(checksOf(red)['exit-status'], false, 'killed by SIGTERM (no handler) is not a graceful exit');
  t.same(survivors(mark), []);
});

t.test('TS (defineScenario import) from --command, in a project that installed shutdown-drill', async (t) => {
  for (const [pkgType, ext] of [['module', 'ts'], [undefined, 'mts']] as const) {
    const dir = project({ name: 'api', ...(pkgType ? { type: pkgType } : {}) });
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(ROOT, path.join(dir, 'node_modules/shutdown-drill'));
    // The ESM project runs both variants; the CJS one shows that its .mts loads and passes.
    for (const [variant, code] of (pkgType ? [['', 0], [' --broken', 1]] : [['', 0]]) as Array<[string, number]>) {
      const made = await runCli(['init', '--command', `node app.mjs${variant}`, '--port', '8080', '--ts', '--force'], { mark, cwd: dir });
      t.equal(made.code, 0, made.stderr);
      const file = path.join(dir, `scenarios/api.scenario.${ext}`);
      t.match(fs.readFileSync(file, 'utf8'), /^import \{ defineScenario \} from 'shutdown-drill';\n/);
      const r = await runCli(['run'], { mark, cwd: dir });
      t.equal(r.code, code, `${ext}${variant}: ${r.stdout}${r.stderr}`);
      t.equal(checksOf(r)['exit-status'], code === 0, `${ext}${variant}: exit-status`);
    }
    t.same(fs.readdirSync(path.join(dir, 'scenarios')), [`api.scenario.${ext}`]);
  }
  t.same(survivors(mark), []);
});

t.test('a Dockerfile: its exact argv under the docker-stop preset (PID 1, its STOPSIGNAL, SIGKILL after 10 s)', async (t) => {
  const dir = project({ name: 'svc' });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM node:20 AS build\nCMD ["false"]\nFROM node:20-slim\n# the app\nEXPOSE 8080\nSTOPSIGNAL SIGINT\nENTRYPOINT ["node", \\\n  "app.mjs"]\n');
  const made = await runCli(['init'], { mark, cwd: dir });
  t.equal(made.code, 0, made.stderr);
  const text = fs.readFileSync(path.join(dir, 'scenarios/svc.scenario.yaml'), 'utf8');
  t.match(text, /command: "node"\n {2}args: \["app\.mjs"\]/);
  t.match(text, /\nplatform: \{ docker-stop: \{ stopSignal: SIGINT, timeoutS: 10 \} \}\n/);
  t.notMatch(text, /\n {2}signal:|escalate:|pid1:/, 'the preset, not fields of its own, says how it is stopped');
  t.match(text, /ready: \{ port: true/);
  const r = await runCli(['run'], { mark, cwd: dir });
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.equal(r.results!.runs[0]!.verdict, 'pass');
  // The preset's expansion, as the run used it: PID 1, the STOPSIGNAL, SIGKILL after 10 s.
  const spec = JSON.parse(fs.readFileSync(path.join(r.outDir, path.dirname(r.results!.runs[0]!.history), 'spec.json'), 'utf8'));
  t.equal(spec.target.pid1, true);
  t.equal(spec.strike.signal, 'SIGINT');
  t.equal(spec.strike.escalate.afterMs, 10_000);
  t.equal(spec.platformExpansion.preset, 'docker-stop');
  t.same(survivors(mark), []);
});

t.test('detectApp: a Dockerfile (exec or shell form, EXPOSE) first, one without CMD/ENTRYPOINT falls through', async (t) => {
  const dir = project({ name: 'svc', scripts: { start: 'node server.js' } });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM x\nEXPOSE 3000/tcp 9229\nCMD node a.js\nSTOPSIGNAL 3\n');
  const shell = detectApp(dir)!;
  t.same(shell.command, { argv: ['/bin/sh', '-c', 'node a.js'] });
  t.equal(shell.dockerStop, true);
  t.equal(shell.stopSignal, 'SIGQUIT');
  t.equal(shell.port, 3000);
  t.match(shell.warnings.join('\n'), /shell form: \/bin\/sh is PID 1/);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM x\nRUN make\n');
  t.same(detectApp(dir)!.source, 'package.json start', 'no CMD/ENTRYPOINT: the next source speaks');
  t.same(splitCommand(`node "my app.js" --x 'a b'`), { argv: ['node', 'my app.js', '--x', 'a b'] });
  t.same(splitCommand('NODE_ENV=production node a.js && echo'), { shell: 'NODE_ENV=production node a.js && echo' });
});

t.test('without a TTY a missing answer is exit 2 naming the flag; Procfile web: is read', async (t) => {
  const dir = project({ name: 'p' });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const noReady = await runCli(['init', '--command', 'node app.mjs'], { mark, cwd: dir });
  t.equal(noReady.code, 2, 'through the CLI: exit 2');
  t.match(noReady.stderr, /pass --http PATH, --port N or --log RE/);
  await t.rejects(init(['--http', '/'], quiet(dir)), { code: 'USAGE', message: /pass --command CMD/ });
  await t.rejects(init(['--port', '80', '--log', 'x'], quiet(dir)), { code: 'USAGE', message: /give one of --port, --http, --log/ });
  await t.rejects(init(['--command', 'node app.mjs', '--http', 'healthz'], quiet(dir)), { code: 'USAGE', message: /--http must be a path starting with \// });
  t.notOk(fs.existsSync(path.join(dir, 'scenarios')), 'nothing written');
  fs.writeFileSync(path.join(dir, 'Procfile'), 'worker: node worker.js\nweb: node app.mjs --port 5000\n');
  const io = quiet(dir);
  t.equal(await init(['--port', '5000', '--name', 'web'], io), 0);
  t.match(io.said.join(''), /found how your app starts in Procfile web:/);
  t.match(fs.readFileSync(path.join(dir, 'scenarios/web.scenario.yaml'), 'utf8'), /args: \["app\.mjs", "--port", "\{port\}"\]/);
});

t.test('on a TTY it asks what the flags do not say, offering what it found', async (t) => {
  const dir = project({ name: 'asked', scripts: { start: 'node app.mjs' } });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  // Command: keep the found one; readiness: a log line; format: ts; name: keep the default.
  const io = quiet(dir, ['', 'log:^listening on', 'ts', '']);
  t.equal(await init([], io), 0);
  t.same(io.asked, [
    'Command that starts your app [node app.mjs]: ',
    'How to tell it is ready: an HTTP path (/healthz), "port" (it accepts connections), or log:REGEX: ',
    'Scenario file format: yaml or ts [yaml]: ',
    'Scenario name [asked]: ',
  ]);
  const text = fs.readFileSync(path.join(dir, 'scenarios/asked.scenario.mts'), 'utf8');
  t.match(text, /ready: \{ log: "\^listening on"/);
  t.notMatch(text, /load:/, 'no port, no HTTP load');
  t.match(text, /at: \{ afterReadyMs: 500 \}/);
});

t.test('run in a project without scenarios/ says to run init (exit 2)', async (t) => {
  const dir = tempDir('drill-empty-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const r = await runCli(['run'], { mark, cwd: dir });
  t.equal(r.code, 2);
  t.match(r.stderr, /no scenarios\/ folder in .*: create a first scenario for your app with `npx shutdown-drill init`/);
});
