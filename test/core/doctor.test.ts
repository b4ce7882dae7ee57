// Issue 15: `--version` and `doctor` (what this machine offers, each with its fix).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { CLI, ROOT } from '../helpers/cli.js';

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; pid: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('close', (code) => resolve({ code, stdout, pid: child.pid! }));
  });
}

t.test('--version prints the package version', async (t) => {
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  for (const flag of ['--version', '-V', 'version']) {
    const r = await cli([flag]);
    t.equal(r.code, 0);
    t.equal(r.stdout, `shutdown-drill ${version}\n`, flag);
  }
});

t.test('doctor names the containment it can use, and the fix when it is only the marker', async (t) => {
  const auto = await cli(['doctor']);
  t.equal(auto.code, 0, auto.stdout);
  t.match(auto.stdout, /^ok {4}node +v\d+/m);
  t.match(auto.stdout, /^(ok|warn) +containment +(cgroup-v2|cgroup-v1|marker)/m);
  t.match(auto.stdout, /ready to run\n$/);
  t.notOk(fs.existsSync(`/sys/fs/cgroup/unified/shutdown-drill`) && fs.readdirSync('/sys/fs/cgroup/unified/shutdown-drill').some((d) => d.startsWith(`h${auto.pid}-`)), 'its probe cgroup is removed');
  const marker = await cli(['doctor'], { SHUTDOWN_DRILL_CONTAINMENT: 'marker' });
  t.equal(marker.code, 0, 'a weaker containment warns, it does not fail');
  t.match(marker.stdout, /^warn +containment +marker/m);
  t.match(marker.stdout, /fix: run as root on Linux/);
  const bad = await cli(['doctor'], { SHUTDOWN_DRILL_CONTAINMENT: 'nonsense' });
  t.equal(bad.code, 1, 'an impossible setting fails the doctor');
  t.match(bad.stdout, /^FAIL +containment +SHUTDOWN_DRILL_CONTAINMENT must be one of auto, cgroup-v2, cgroup-v1, marker/m);
});

t.test('doctor says how the strike thread is scheduled, and why when it is not real-time', async (t) => {
  const root = process.platform === 'linux' && process.getuid?.() === 0 && os.availableParallelism() >= 2 && !spawnSync('chrt', ['--version']).error;
  const auto = await cli(['doctor']);
  t.equal(auto.code, 0);
  if (root) t.match(auto.stdout, /^ok {4}strike thread +SCHED_FIFO 1$/m, 'root on 2 CPUs with chrt: real-time');
  else t.match(auto.stdout, /^(ok|warn) +strike thread +/m);
  const off = await cli(['doctor'], { SHUTDOWN_DRILL_REALTIME: '0' });
  t.equal(off.code, 0, 'not real-time warns, it does not fail');
  if (process.platform === 'linux' && os.availableParallelism() >= 2) {
    t.match(off.stdout, /^warn +strike thread +(nice -15|normal)\n +fix: SHUTDOWN_DRILL_REALTIME=0 is set; at (nice -15|normal) priority strikes under full load can land a few ms late/m);
  }
});
