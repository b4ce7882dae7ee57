// Item 2 of issue 6: the harness killed with SIGKILL mid-run. No target outlives it by more than
// ~2 s (the reaper), and targets left by a harness that died with its reaper are found and killed
// by the next run (sweepStale). Neither leaves the run's temp dir behind.
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { sweepStale } from '../../harness/target/reaper.js';
import { MISBEHAVING, runCli, startCli, tempDir, writeFile, y, type StartedCli } from './cli.js';
import { cmdlineOf, describeSurvivors, findSurvivors, killSurvivors, newMark, waitNoSurvivors } from '../helpers/oracle.js';

// A scenario whose target (a leader, a child in its group, a setsid escapee; all ignore SIGTERM,
// SIGINT and SIGHUP) is ready at once and would then wait a minute for its strike.
function treeScenario(dir: string): string {
  return writeFile(dir, 'tree.scenario.yaml', `
- name: tree-of-ignorers
  target:
    command: node
    args: [${y(path.join(MISBEHAVING, 'tree-of-ignorers.mjs'))}, '--tmp', '{tmp}']
    ready: { log: '^ready pids=' }
  strike: { at: { afterReadyMs: 60000 }, signal: SIGTERM }
  timeoutMs: 120000
  expect: { exit: { codes: [0] } }
`);
}

// Resolves with the target's three pids and its {tmp} folder once its history records it ready (the
// history is flushed every 50 ms, so this is a handshake on the harness's own record). Rejects if
// the CLI ends first.
async function targetReady(cli: StartedCli, out: string, timeoutMs = 20_000): Promise<{ pids: number[]; tmp: string }> {
  let ended = false;
  void cli.done.then(() => {
    ended = true;
  });
  const start = performance.now();
  for (;;) {
    const runs = path.join(out, 'runs');
    for (const d of fs.existsSync(runs) ? fs.readdirSync(runs) : []) {
      const file = path.join(runs, d, 'events.jsonl');
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      const ready = /"type":"target:ready"/.test(text);
      const line = /ready pids=([\d,]+)/.exec(text);
      const tmp = /"args":\[[^\]]*"--tmp","([^"]+)"/.exec(text)?.[1];
      if (ready && line && tmp) return { pids: line[1]!.split(',').map(Number), tmp };
    }
    if (ended) throw new Error(`the CLI ended before its target was ready: ${(await cli.done).stderr}`);
    if (performance.now() - start > timeoutMs) throw new Error('the target was not ready in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

t.test('SIGKILL of the harness mid-run: the reaper ends every target within ~2 s', async (t) => {
  // Guards: the reaper (harness/target/reaper.ts startReaper + reaper-main.ts). Checked: with the
  // startReaper(session) call in run/suite.ts commented out, the three target processes were still
  // alive 2 s after the SIGKILL and this test failed (waitNoSurvivors threw); with the reaper's
  // removeRunTmps() call removed (the fix made for this test), the run's temp dir stayed and it
  // failed.
  const mark = newMark('sigkill');
  const dir = tempDir('sigkill');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const out = path.join(dir, 'out');
  const cli = startCli(['run', treeScenario(dir), '--out', out], { mark });
  const { pids, tmp } = await targetReady(cli, out);
  t.ok(fs.existsSync(tmp), `the run's temp dir ${tmp} exists`);
  const before = findSurvivors(mark);
  for (const pid of pids) t.ok(before.includes(pid), `target process ${pid} is alive and carries the mark before the kill`);
  t.ok(before.some((pid) => cmdlineOf(pid).includes('reaper-main')), 'the reaper runs');

  cli.child.kill('SIGKILL');
  const killedAt = performance.now();
  await cli.done;
  // Every process that carried the mark — targets, the escapee, the reaper itself — is gone.
  const ms = await waitNoSurvivors(mark, 2_000, 5).catch((error: Error) => {
    t.fail(error.message);
    return Infinity;
  });
  const total = performance.now() - killedAt;
  t.ok(total < 2_000, `everything gone ${Math.round(total)} ms after the SIGKILL (bound 2000 ms)`);
  t.comment(`measured: targets + reaper gone ${ms.toFixed(0)} ms after the harness's SIGKILL`);
  // The reaper also removes the dead harness's run temp dirs (it is gone once the reaper is).
  t.notOk(fs.existsSync(tmp), `the run's temp dir ${tmp} was removed too`);
});

// Starts a run of the tree scenario, then SIGKILLs its reaper and the harness: returns the three
// target pids (now stale: their harness is dead and nothing cleans up) and the run's {tmp}.
async function makeStale(t: Test, dir: string, mark: string, label: string): Promise<{ pids: number[]; tmp: string }> {
  const out = path.join(dir, `out-${label}`);
  const first = startCli(['run', treeScenario(dir), '--out', out], { mark });
  const ready = await targetReady(first, out);
  const reaper = findSurvivors(mark).find((pid) => cmdlineOf(pid).includes('reaper-main'));
  t.ok(reaper, 'found the harness\'s reaper');
  process.kill(reaper!, 'SIGKILL');
  first.child.kill('SIGKILL');
  await first.done;
  return ready;
}

// sweepStale is machine-wide: a harness started meanwhile by another test (or a person) may end
// stale targets first. Nothing is left then either, but this test cannot see it happen: such an
// attempt is retried (at most three times).

t.test('sweepStale (at every suite start) kills targets left by a harness that died with its reaper', async (t) => {
  // Guards: sweepStale() (harness/target/reaper.ts), called here at once, as runSuite does at its
  // start. Checked: with sweepStale's body returning [] at once, the three stale targets survived
  // and this test failed.
  const mark = newMark('stale');
  const dir = tempDir('stale');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  for (let attempt = 1; attempt <= 3; attempt++) {
    const { pids, tmp } = await makeStale(t, dir, mark, String(attempt));
    const before = findSurvivors(mark).sort();
    const swept = (await sweepStale()).map((s) => s.pid);
    // Another harness's sweep may also run between `before` and ours and take some of them: a pid
    // ours did not kill must then be gone (one still alive is a miss of ours, and fails below).
    const alive = findSurvivors(mark);
    const takenByAnother = pids.filter((pid) => !swept.includes(pid) && !alive.includes(pid));
    if ((before.length < pids.length || takenByAnother.length) && attempt < 3) {
      t.comment(`attempt ${attempt}: another harness swept ${before.length < pids.length ? 'the stale targets first' : `${takenByAnother.join(', ')} meanwhile`}; trying again`);
      await waitNoSurvivors(mark, 1_000).catch(() => undefined);
      continue;
    }
    t.same(before, [...pids].sort(), 'the three targets outlived their harness and reaper');
    for (const pid of pids) t.ok(swept.includes(pid), `sweepStale killed ${pid}`);
    await waitNoSurvivors(mark, 1_000).catch((error: Error) => t.fail(error.message));
    t.notOk(fs.existsSync(tmp), `and removed the dead harness's temp dir ${tmp}`);
    break;
  }
  t.same(describeSurvivors(mark), [], 'nothing is left');
});

t.test('the next run says which stale processes it killed', async (t) => {
  // Guards: the wiring of sweepStale into a suite's start and its warning (run/suite.ts onStale,
  // cli.ts). Checked: with the sweepStale() call in runSuite replaced by `[]`, the stale targets
  // survived the next run and this test failed.
  const mark = newMark('stale-cli');
  const dir = tempDir('stale-cli');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const quick = writeFile(dir, 'quick.scenario.yaml', `
- name: quick
  target: { command: node, args: ['-e', '0'] }
  expect: { exit: { codes: [0] } }
`);
  let checkedWarning = false;
  for (let attempt = 1; attempt <= 3 && !checkedWarning; attempt++) {
    const { pids } = await makeStale(t, dir, mark, String(attempt));
    const second = await runCli(['run', quick, '--out', path.join(dir, `next-${attempt}`)], { mark });
    t.equal(second.code, 0, second.stderr);
    const warned = /warning: killed \d+ process\(es\) left by an earlier harness that died: /.test(second.stderr);
    if (!warned && findSurvivors(mark).length === 0) {
      t.comment(`attempt ${attempt}: another harness swept the stale targets before this run started`);
      continue;
    }
    t.ok(warned, 'the next run says it killed stale processes');
    for (const pid of pids) t.match(second.stderr, new RegExp(`: [\\d, ]*\\b${pid}\\b`), `it names ${pid}`);
    checkedWarning = true;
  }
  if (!checkedWarning) t.comment('every attempt was pre-empted by another harness\'s sweep: the warning was not checked this time');
  await waitNoSurvivors(mark, 1_000).catch((error: Error) => t.fail(error.message));
  t.same(describeSurvivors(mark), [], 'nothing is left');
});
