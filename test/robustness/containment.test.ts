// Issue 10: containment by the kernel. Hostile targets try every ordinary way out of the harness's
// tracking (setsid + env -i, an exec with an empty environment, fork-hopping every 1 or 20 ms, a
// 200-process fork bomb, setpgid, ignoring every catchable signal, an inspect command that
// daemonizes). Each runs normally, with the harness SIGINTed, and with it SIGKILLed: each escapee
// is reported by no-orphans, and afterwards an oracle independent of the harness (it finds the
// processes by a token in their argv, since they drop their environment) counts 0 survivors.
// Every CLI runs under a child subreaper (contained.ts) so that the killed escapees are reaped.
//
// Guards: the kernel containers (harness/target/containment.ts) and their use in run-one.ts and
// the reaper. Checked: with SHUTDOWN_DRILL_CONTAINMENT=marker (the old tracker) the setsid + env -i,
// environ-rewrite, hopper and fork-bomb runs pass no-orphans and leave their escapees alive, so
// these tests fail; the last test pins that weaker level's own honest message.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { findSurvivors, killSurvivors, newMark, waitNoSurvivors, describeSurvivors } from '../helpers/oracle.js';
import { ROOT, tempDir, writeFile, y } from './cli.js';
import { startReaped, waitForPath } from './contained.js';

const HOSTILE = path.join(ROOT, 'test', 'fixtures', 'hostile', 'hostile.py');

// How many processes each mode leaves alive after its leader exits (hoppers: at least one).
const MODES: Array<{ mode: string; survivors: number; exact: boolean }> = [
  { mode: 'setsid-env-i', survivors: 1, exact: true },
  { mode: 'environ-rewrite', survivors: 1, exact: true },
  { mode: 'hopper-1', survivors: 1, exact: false },
  { mode: 'hopper-20', survivors: 1, exact: false },
  { mode: 'forkbomb', survivors: 201, exact: true },
  { mode: 'setpgid', survivors: 1, exact: true },
  { mode: 'trap-all', survivors: 1, exact: true },
];

function scenario(dir: string, mode: string, mark: string, strikeMs: number): string {
  return writeFile(dir, `${mode}.scenario.yaml`, `
- name: hostile-${mode}
  target:
    command: python3
    args: [${y(HOSTILE)}, ${y(mode)}, ${y(mark)}, ${y(dir)}]
    ready: { log: '^ready$', timeoutMs: 20000 }
  strike: { at: { afterReadyMs: ${strikeMs} }, signal: SIGTERM }
  timeoutMs: 120000
  expect: { exit: { codes: [0] } }
`);
}

interface NoOrphans { passed: boolean; actual: { survivors: number; stillAliveAfterKill: number }; message: string }

function noOrphansOf(results: { runs: Array<{ checks: unknown[] }> } | undefined): NoOrphans | undefined {
  return results?.runs[0]?.checks.find((c) => (c as { name: string }).name === 'no-orphans') as NoOrphans | undefined;
}

for (const level of ['cgroup-v2', 'cgroup-v1']) {
  for (const { mode, survivors, exact } of MODES) {
    t.test(`${level}: ${mode} run normally is reported by no-orphans and leaves nothing`, async (t) => {
      const mark = newMark(`c-${mode}`);
      const dir = tempDir(`contain-${mode}-`);
      t.teardown(() => {
        killSurvivors(mark);
        fs.rmSync(dir, { recursive: true, force: true });
      });
      const out = path.join(dir, 'out');
      const cli = startReaped(['run', scenario(dir, mode, mark, 100), '--out', out], { mark, statusDir: dir, outDir: out, env: { SHUTDOWN_DRILL_CONTAINMENT: level } });
      const r = await cli.done;
      t.equal(r.code, 1, `the run fails (stderr: ${r.stderr.slice(0, 400)})`);
      t.equal(r.results?.containment, level, 'results.json names the containment used');
      t.match(r.stdout, new RegExp(`^  containment: ${level}$`, 'm'), 'and so does the console');
      const check = noOrphansOf(r.results);
      t.equal(check?.passed, false, 'no-orphans fails');
      if (exact) t.equal(check?.actual.survivors, survivors, `${survivors} survivor(s) reported`);
      else t.ok((check?.actual.survivors ?? 0) >= survivors, `at least ${survivors} survivor reported (got ${check?.actual.survivors})`);
      t.equal(check?.actual.stillAliveAfterKill, 0, 'none alive after the kill');
      t.match(check?.message, /the harness killed (it|them) \(verified: none left\)/, 'the kill is said only as verified');
      t.same(describeSurvivors(mark), [], 'the oracle finds no survivor once the CLI has exited');
    });
  }
}

for (const how of ['SIGINT', 'SIGKILL'] as const) {
  for (const { mode } of MODES) {
    t.test(`cgroup-v2: ${mode}, the harness ${how}ed mid-run: 0 survivors`, async (t) => {
      const mark = newMark(`k-${mode}`);
      const dir = tempDir(`contain-${how}-${mode}-`);
      t.teardown(() => {
        killSurvivors(mark);
        fs.rmSync(dir, { recursive: true, force: true });
      });
      const out = path.join(dir, 'out');
      const cli = startReaped(['run', scenario(dir, mode, mark, 60_000), '--out', out], { mark, statusDir: dir, outDir: out, env: { SHUTDOWN_DRILL_CONTAINMENT: 'cgroup-v2' } });
      // Handshake: the escapee says it is up (after its escape).
      await waitForPath(path.join(dir, `${mark}.up`), cli);
      t.ok(findSurvivors(mark).length >= 1, 'the escapee is alive before the harness is stopped');
      const pid = await cli.pid();
      process.kill(pid, how);
      const stoppedAt = performance.now();
      if (how === 'SIGINT') {
        const r = await cli.done;
        t.equal(r.code, 130, 'the harness exits 130');
        t.same(describeSurvivors(mark), [], 'nothing survives the harness');
      } else {
        const ms = await waitNoSurvivors(mark, 2_000, 5).catch((error: Error) => {
          t.fail(error.message);
          return Infinity;
        });
        t.ok(performance.now() - stoppedAt < 2_000, `every member gone within 2 s of the SIGKILL (${Math.round(ms)} ms)`);
        const r = await cli.done;
        t.equal(r.signal, 'SIGKILL', 'the harness died of the SIGKILL');
      }
    });
  }
}

t.test('an inspect command that daemonizes: its daemon is reported and killed', async (t) => {
  const mark = newMark('c-inspect');
  const dir = tempDir('contain-inspect-');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const file = writeFile(dir, 'inspect.scenario.yaml', `
- name: inspect-daemon
  target: { command: node, args: ['-e', 'process.on("SIGTERM", () => process.exit(0)); console.log("ready"); setInterval(() => {}, 1000)'], ready: { log: '^ready$' } }
  strike: { at: { afterReadyMs: 50 }, signal: SIGTERM }
  expect:
    exit: { codes: [0] }
    inspect: [{ name: daemon, command: python3, args: [${y(HOSTILE)}, daemon, ${y(mark)}, ${y(dir)}] }]
`);
  const out = path.join(dir, 'out');
  const r = await startReaped(['run', file, '--out', out], { mark, statusDir: dir, outDir: out }).done;
  t.equal(r.code, 1, 'the run fails');
  const check = noOrphansOf(r.results);
  t.equal(check?.passed, false, 'no-orphans fails');
  t.equal(check?.actual.survivors, 1, 'the daemon is reported');
  t.match(check?.message, /outlived an inspect command/, 'as left by the inspect command');
  t.same(describeSurvivors(mark), [], 'and it is gone');
});

t.test('noOrphans.withinMs: a child that exits by itself within the grace passes, with how long it lived', async (t) => {
  const mark = newMark('c-grace');
  const dir = tempDir('contain-grace-');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  // The leader exits at once on SIGTERM; its detached child (up, with its handler, before the
  // leader says ready) lingers 1.5 s (like postgres's backends after the postmaster, only longer,
  // so that a busy machine cannot hide it), then exits.
  const leader = `const { spawn } = require('child_process'); const c = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => setTimeout(() => process.exit(0), 1500)); console.log("up"); setInterval(() => {}, 1000)', ${JSON.stringify(mark)}], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] }); c.stdout.once('data', () => { c.stdout.destroy(); console.log('ready'); }); process.on('SIGTERM', () => { process.kill(c.pid, 'SIGTERM'); process.exit(0); }); setInterval(() => {}, 1000)`;
  const body = (within: number): string => `
- name: grace-${within}
  target: { command: node, args: ['-e', ${y(leader)}], ready: { log: '^ready$' } }
  strike: { at: { afterReadyMs: 50 }, signal: SIGTERM }
  expect: { exit: { codes: [0] }, noOrphans: { withinMs: ${within} } }
`;
  const loose = path.join(dir, 'out-loose');
  const r = await startReaped(['run', writeFile(dir, 'loose.scenario.yaml', body(8000)), '--out', loose], { mark, statusDir: dir, outDir: loose }).done;
  const passing = noOrphansOf(r.results);
  t.equal(passing?.passed, true, `passes with an 8000 ms grace: ${passing?.message}`);
  t.match(passing?.message, /1 exited by themselves within the 8000 ms grace \(outlived the leader by [\d.]+ ms\)/);
  const strict = path.join(dir, 'out-strict');
  const s = await startReaped(['run', writeFile(dir, 'strict.scenario.yaml', body(0)), '--out', strict], { mark, statusDir: dir, outDir: strict }).done;
  t.equal(noOrphansOf(s.results)?.passed, false, 'fails with no grace');
  t.same(describeSurvivors(mark), [], 'nothing is left');
});

t.test('marker containment says that its guarantee is weaker', async (t) => {
  const mark = newMark('c-marker');
  const dir = tempDir('contain-marker-');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const out = path.join(dir, 'out');
  const r = await startReaped(['run', scenario(dir, 'setpgid', mark, 100), '--out', out], { mark, statusDir: dir, outDir: out, env: { SHUTDOWN_DRILL_CONTAINMENT: 'marker' } }).done;
  t.equal(r.results?.containment, 'marker');
  t.match(noOrphansOf(r.results)?.message, /containment: marker/, 'no-orphans says which level judged it');
  t.match(r.stderr, /containment: marker/, 'the console says it once');
});
