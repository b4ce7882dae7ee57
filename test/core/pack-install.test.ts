// Issue 15 item 6: the packed tarball installs into an empty project and works there: `npx
// shutdown-drill init` writes a scenario and `npx shutdown-drill run` runs it against the project's
// app (exit 0). Installed from the npm cache (`--offline`); when the cache lacks a package, from the
// registry (`--prefer-offline`), each bounded. The install holds only the harness's runtime
// dependencies: no better-sqlite3 (sample targets only), no undici (unused).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { FIXTURES, killSurvivors, newMark, ROOT, survivors, tempDir } from '../helpers/cli.js';

const mark = newMark();
t.teardown(() => {
  killSurvivors(mark);
});

function sh(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, CI: '1', DRILL_TEST_MARK: mark, GITHUB_STEP_SUMMARY: '' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => {
      out += `\n[killed after ${timeoutMs} ms]`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

t.test('npm pack, install into an empty project, init and run there', async (t) => {
  const dir = tempDir('drill-pack-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const packed = await sh('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], ROOT, 60_000);
  t.equal(packed.code, 0, packed.out);
  const tgz = path.join(dir, packed.out.trim().split('\n').at(-1)!);
  t.ok(fs.existsSync(tgz), tgz);
  const proj = path.join(dir, 'app');
  fs.mkdirSync(proj);
  fs.writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'shop', version: '1.0.0', private: true, scripts: { start: 'node app.mjs' } }));
  fs.copyFileSync(path.join(FIXTURES, 'init/app.mjs'), path.join(proj, 'app.mjs'));
  let install = await sh('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tgz], proj, 120_000);
  if (install.code !== 0 && /ENOTCACHED/.test(install.out)) {
    t.comment('npm cache lacks a dependency: installing through the registry');
    install = await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tgz], proj, 120_000);
  }
  t.equal(install.code, 0, install.out);
  const installed = fs.readdirSync(path.join(proj, 'node_modules'));
  t.ok(installed.includes('shutdown-drill') && installed.includes('tsx'), 'tsx comes along: .scenario.ts and config.ts load through it');
  t.notOk(installed.includes('better-sqlite3'), 'no better-sqlite3');
  t.notOk(installed.includes('undici'), 'no undici');

  const init = await sh('npx', ['--no-install', 'shutdown-drill', 'init', '--http', '/healthz', '--ts'], proj, 60_000);
  t.equal(init.code, 0, init.out);
  t.match(init.out, /wrote scenarios\/shop\.scenario\.mts/);
  const run = await sh('npx', ['--no-install', 'shutdown-drill', 'run'], proj, 90_000);
  t.equal(run.code, 0, run.out);
  t.match(run.out, /1 runs: 1 passed/);
  const results = JSON.parse(fs.readFileSync(path.join(proj, 'reports/latest/results.json'), 'utf8'));
  t.same(results.runs.map((r: { id: string; verdict: string }) => [r.id, r.verdict]), [['shop shuts down gracefully on SIGTERM', 'pass']]);
  t.same(survivors(mark), []);
});
