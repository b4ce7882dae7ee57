// Measures what each launcher does with a signal sent to the launcher alone vs to its process group.
//   node targets/wrapper/measure-signal-path.mjs        (from anywhere; needs sh, and npm for its rows)
// Each case starts in a new session (as the harness does), waits for the app's ready line, sends the
// signal, and reports: the leader's exit (code or signal, and when), whether the app logged its
// graceful shutdown, whether the app was still running when the leader was gone (the app takes
// 200 ms to finish: --drain-ms), and whether it is left running 1 s later. Everything left is killed.
// (Written in Node rather than sh: a shell script's background jobs start with SIGINT ignored, which
// silently changes the SIGINT rows.)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const APP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'app.mjs');
const WRAPPER = path.dirname(APP);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Alive and not a zombie (an orphan whose new parent has not reaped it yet has already exited).
const alive = (pid) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const launchers = {
  'node app.mjs': [process.execPath, [APP, '--port', '0']],
  'npm run start': ['npm', ['run', 'start', '--prefix', WRAPPER, '--', '--port', '0']],
  "sh -c 'node app; echo done'": ['sh', ['-c', `node ${APP} --port 0; echo wrapper-done`]],
  "sh -c 'exec node app'": ['sh', ['-c', `exec node ${APP} --port 0`]],
};

async function measure(label, sig, delivery) {
  const [command, args] = launchers[label];
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (out += d));
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal, t: performance.now() })));
  const deadline = performance.now() + 30_000;
  while (!/^ready on .*\(pid (\d+)/m.test(out)) {
    if (performance.now() > deadline) return { label, sig, delivery, error: `never ready: ${out.slice(-200)}` };
    await sleep(20);
  }
  const app = Number(/^ready on .*\(pid (\d+)/m.exec(out)[1]);
  const sent = performance.now();
  process.kill(delivery === 'group' ? -child.pid : child.pid, sig);
  const exit = await Promise.race([exited, sleep(3_000).then(() => null)]);
  const appAliveWhenLeaderGone = exit ? alive(app) : null;
  await sleep(1_000);
  const row = {
    launcher: label, signal: sig, delivery,
    leader: exit ? (exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`) : 'still running after 3 s',
    leaderMs: exit ? Math.round(exit.t - sent) : null,
    appGraceful: /graceful shutdown complete/.test(out),
    appAliveWhenLeaderGone,
    appLeftRunning: alive(app),
    shellWentOn: /wrapper-done/.test(out),
  };
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is gone
  }
  return row;
}

const cases = [
  ['node app.mjs', 'SIGTERM', 'process'],
  ["sh -c 'exec node app'", 'SIGTERM', 'process'],
  ['npm run start', 'SIGTERM', 'process'],
  ['npm run start', 'SIGINT', 'process'],
  ['npm run start', 'SIGTERM', 'group'],
  ['npm run start', 'SIGINT', 'group'],
  ["sh -c 'node app; echo done'", 'SIGTERM', 'process'],
  ["sh -c 'node app; echo done'", 'SIGINT', 'process'],
  ["sh -c 'node app; echo done'", 'SIGTERM', 'group'],
  ["sh -c 'node app; echo done'", 'SIGINT', 'group'],
];
const rows = [];
for (const [label, sig, delivery] of cases) rows.push(await measure(label, sig, delivery));
console.table(rows);
