// The wrapper target: the same graceful app behind `node`, `sh -c` and `npm run`; whether a signal
// reaches it depends on the launcher and on delivery (the process alone vs its group).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readyPort, spawnTarget, TARGETS, type Target } from './spawn-target.js';

const APP = path.join(TARGETS, 'wrapper', 'app.mjs');
const npm = spawnSync('npm', ['--version'], { stdio: 'ignore' }).status === 0;

const serving = async (port: number): Promise<boolean> => {
  try {
    return (await fetch(`http://127.0.0.1:${port}/`)).status === 200;
  } catch {
    return false;
  }
};
const pidOf = async (w: Target): Promise<number> => Number(/\(pid (\d+)/.exec(await w.waitFor(/^ready on/))![1]);
// Running, not a zombie.
const isAlive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const shNoExec = ['-c', `node ${APP} --port 0; echo wrapper-done`];

t.test('node app.mjs: SIGTERM -> graceful shutdown, exit 0', async (t) => {
  const w = spawnTarget(t, process.execPath, [APP, '--port', '0']);
  await readyPort(w);
  w.signal('SIGTERM');
  const exit = await w.exited;
  t.same([exit.code, exit.signal], [0, null]);
  t.match(w.output(), /graceful shutdown \(SIGTERM[^]*graceful shutdown complete/);
});

t.test("sh -c 'exec node app.mjs': the shell is replaced, SIGTERM to the process reaches the app", async (t) => {
  const w = spawnTarget(t, 'sh', ['-c', `exec node ${APP} --port 0`]);
  t.equal(await pidOf(w), w.child.pid, 'the app is the leader');
  w.signal('SIGTERM');
  t.same((await w.exited).code, 0);
  t.match(w.output(), /graceful shutdown complete/);
});

t.test("sh -c 'node app; echo ...': SIGTERM to the shell alone kills the shell and orphans the app", async (t) => {
  const w = spawnTarget(t, 'sh', shNoExec);
  const port = await readyPort(w);
  const app = await pidOf(w);
  t.not(app, w.child.pid, 'the app is a child of the shell');
  w.signal('SIGTERM');
  const exit = await w.left;
  t.same([exit.code, exit.signal], [null, 'SIGTERM'], 'the shell died of the signal');
  t.ok(await serving(port), 'the app never got the signal and still serves');
  t.ok(isAlive(app));
  t.notMatch(w.output(), /graceful shutdown/);
});

t.test("sh -c 'node app; echo ...': SIGTERM to the group reaches the app, but the shell exits first", async (t) => {
  const w = spawnTarget(t, 'sh', shNoExec);
  await readyPort(w);
  const app = await pidOf(w);
  w.signal('SIGTERM', 'group');
  const exit = await w.left;
  t.same([exit.code, exit.signal], [null, 'SIGTERM']);
  t.ok(isAlive(app), 'the app is still finishing its shutdown when the shell is gone');
  await w.exited;
  t.match(w.output(), /graceful shutdown complete/);
  t.notMatch(w.output(), /wrapper-done/);
});

t.test("sh -c 'node app; echo ...': SIGINT to the group: the shell (dash) waits for the app, then dies of SIGINT", async (t) => {
  const w = spawnTarget(t, 'sh', shNoExec);
  await readyPort(w);
  w.signal('SIGINT', 'group');
  const exit = await w.exited;
  t.same([exit.code, exit.signal], [null, 'SIGINT']);
  t.match(w.output(), /graceful shutdown \(SIGINT[^]*graceful shutdown complete/, 'the app finished before the shell went');
  t.notMatch(w.output(), /wrapper-done/);
});

t.test('npm run start', { skip: npm ? false : 'npm is not on PATH' }, async (t) => {
  const start = () => spawnTarget(t, 'npm', ['run', 'start', '--prefix', path.join(TARGETS, 'wrapper'), '--', '--port', '0']);

  t.test('SIGTERM to npm alone: npm forwards it to its shell, which dies; the app is orphaned', async (t) => {
    const w = start();
    const port = await readyPort(w);
    w.signal('SIGTERM');
    const exit = await w.left;
    t.same([exit.code, exit.signal], [null, 'SIGTERM'], 'npm re-raised SIGTERM on itself (status 143)');
    t.ok(await serving(port), 'the app never got the signal and still serves');
    t.notMatch(w.output(), /graceful shutdown/);
  });

  t.test('SIGINT to the group: everyone gets it, npm waits for the app', async (t) => {
    const w = start();
    await readyPort(w);
    w.signal('SIGINT', 'group');
    const exit = await w.exited;
    t.same([exit.code, exit.signal], [null, 'SIGINT'], 'npm re-raised SIGINT on itself (status 130)');
    t.match(w.output(), /graceful shutdown complete/);
  });
});
