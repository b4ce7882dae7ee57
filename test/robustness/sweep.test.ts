// Issue 10, item 5: the stale sweep acts only on what a harness proven dead left behind, never on
// a live harness's processes or temp dirs, another user's, or another pid namespace's.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { formatIdentity, pidNamespaceOf, selfIdentity } from '../../harness/target/identity.js';
import { sweepStale } from '../../harness/target/reaper.js';
import { MARKER_ENV } from '../../harness/target/tree.js';
import { cmdlineOf, describeSurvivors, findSurvivors, killSurvivors, newMark, waitNoSurvivors } from '../helpers/oracle.js';
import { MISBEHAVING, runCli, startCli, tempDir, writeFile, y } from './cli.js';

// A pid above pid_max never exists: an identity naming it is a harness that is provably gone.
const pidMax = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
const me = selfIdentity();
const deadHarness = `${pidMax + 1}-1-${me.pidns}`;

// Starts one process that sleeps (the test's mark in its argv) carrying a harness marker; `prefix`
// runs it through another command (which does not carry the marker itself).
function marked(mark: string, marker: string, prefix: string[] = []): ChildProcess {
  const argv = [...prefix, 'env', `${MARKER_ENV}=${marker}`, process.execPath, '-e', 'setTimeout(() => {}, 30000)', mark];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore', detached: true });
  child.unref();
  return child;
}

async function until(what: string, ok: () => boolean, ms = 5_000): Promise<void> {
  const start = performance.now();
  while (!ok()) {
    if (performance.now() - start > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

t.test('sweepStale kills a dead harness\'s process and dir, never a live one\'s, another user\'s, another pid namespace\'s, or an unprovable one', async (t) => {
  // Guards: provenDead (identity.ts) and the pid-namespace and uid checks in sweepStale
  // (reaper.ts). Checked: with sweepStale's condition reduced to `!provenDead(id)` only, the
  // other user's and the other namespace's processes were killed and this test failed.
  const mark = newMark('sweep');
  t.teardown(() => {
    killSurvivors(mark);
  });
  const dead = marked(mark, `${deadHarness}:s:0.1/`);
  const live = marked(mark, `${formatIdentity(me)}:s:0.1/`);
  const oldFormat = marked(mark, `${pidMax + 1}:s:0.1/`);
  const otherUser = marked(mark, `${deadHarness}:s:0.2/`, ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
  const otherNs = marked(mark, `${deadHarness}:s:0.3/`, ['unshare', '--pid', '--fork', '--kill-child']);
  // Five sleepers, plus unshare's own process (its argv holds the mark too).
  await until('all five are up', () => findSurvivors(mark).filter((pid) => cmdlineOf(pid).startsWith(`${process.execPath} -e`)).length >= 5);
  const innerNs = findSurvivors(mark).find((pid) => pid !== otherNs.pid && pidNamespaceOf(pid) !== me.pidns);
  t.ok(innerNs, 'one process lives in another pid namespace');
  // Temp dirs: one of the dead harness, one of this (live) process.
  const deadDir = fs.mkdtempSync(path.join(os.tmpdir(), `shutdown-drill-${deadHarness}-`));
  const liveDir = fs.mkdtempSync(path.join(os.tmpdir(), `shutdown-drill-${formatIdentity(me)}-`));
  t.teardown(() => {
    fs.rmSync(deadDir, { recursive: true, force: true });
    fs.rmSync(liveDir, { recursive: true, force: true });
  });

  const swept = (await sweepStale()).map((s) => s.pid);
  t.ok(swept.includes(dead.pid!), 'the dead harness\'s process is killed');
  for (const [name, pid] of [['live harness', live.pid], ['older format', oldFormat.pid], ['other user', otherUser.pid], ['other pid namespace', innerNs]] as const) {
    t.notOk(swept.includes(pid!), `the ${name}'s process is not touched`);
  }
  await until('the dead harness\'s process is gone', () => !findSurvivors(mark).includes(dead.pid!));
  const alive = findSurvivors(mark);
  for (const [name, pid] of [['live harness', live.pid], ['older format', oldFormat.pid], ['other user', otherUser.pid], ['other pid namespace', innerNs]] as const) {
    t.ok(alive.includes(pid!), `the ${name}'s process is still alive`);
  }
  t.notOk(fs.existsSync(deadDir), 'the dead harness\'s temp dir is removed');
  t.ok(fs.existsSync(liveDir), 'the live harness\'s temp dir is kept');
  killSurvivors(mark);
  t.same(describeSurvivors(mark), []);
});

t.test('a live harness\'s target and temp dir survive another harness\'s start', async (t) => {
  // Guards: the same, end to end through two CLIs. Checked: with provenDead returning true
  // always, harness B's start killed A's target and removed A's {tmp}, and this test failed.
  const mark = newMark('two-harnesses');
  const dir = tempDir('two-harnesses');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const long = writeFile(dir, 'long.scenario.yaml', `
- name: long
  target: { command: node, args: [${y(path.join(MISBEHAVING, 'tree-of-ignorers.mjs'))}, '--tmp', '{tmp}'], ready: { log: '^ready pids=' } }
  strike: { at: { afterReadyMs: 60000 }, signal: SIGTERM }
  timeoutMs: 120000
  expect: { exit: { codes: [0] } }
`);
  const quick = writeFile(dir, 'quick.scenario.yaml', `
- name: quick
  target: { command: node, args: ['-e', '0'] }
  expect: { exit: { codes: [0] } }
`);
  const outA = path.join(dir, 'a');
  const a = startCli(['run', long, '--out', outA], { mark });
  // Handshake: A's history records its target ready, with the pids and {tmp}.
  let pids: number[] = [];
  let tmp = '';
  await until('A\'s target is ready', () => {
    const runs = path.join(outA, 'runs');
    for (const d of fs.existsSync(runs) ? fs.readdirSync(runs) : []) {
      const text = fs.existsSync(path.join(runs, d, 'events.jsonl')) ? fs.readFileSync(path.join(runs, d, 'events.jsonl'), 'utf8') : '';
      const line = /ready pids=([\d,]+)/.exec(text);
      const m = /"args":\[[^\]]*"--tmp","([^"]+)"/.exec(text);
      if (/"type":"target:ready"/.test(text) && line && m) {
        pids = line[1]!.split(',').map(Number);
        tmp = m[1]!;
        return true;
      }
    }
    return false;
  }, 20_000);
  const b = await runCli(['run', quick, '--out', path.join(dir, 'b')], { mark });
  t.equal(b.code, 0, b.stderr);
  t.notMatch(b.stderr, /killed \d+ process/, 'B reports no stale process killed');
  const alive = findSurvivors(mark);
  for (const pid of pids) t.ok(alive.includes(pid), `A's process ${pid} is alive after B's start`);
  t.ok(fs.existsSync(tmp), `A's temp dir ${tmp} is kept`);
  a.child.kill('SIGINT');
  const ra = await a.done;
  t.equal(ra.code, 130, 'A ends on its SIGINT');
  await waitNoSurvivors(mark, 2_000).catch((error: Error) => t.fail(error.message));
});
