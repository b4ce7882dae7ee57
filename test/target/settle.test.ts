// Issue 10, item 4: evidence before intervention. After the leader's exit the tree may end by
// itself (the noOrphans grace) before the files are looked at, and only then does the harness
// kill; a snapshot taken after a kill by the harness says so.
// Guards: the order in run-one.ts (settleTree, snapshots, then sweepOrphans). Checked: with the
// snapshot moved after sweepOrphans (the harness kills the cleaning child first), the half-written
// file was still there and files-absent failed.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { judge } from '../../harness/check/index.js';
import type { HistoryEvent } from '../../harness/history/events.js';
import { RunSpecSchema } from '../../harness/scenario/schema.js';
import { newMark, runCli, survivors, tempDir } from '../helpers/cli.js';

t.test('a child that removes the partial file after the leader exits is awaited before the files are judged', async (t) => {
  const mark = newMark('settle');
  const dir = tempDir('settle-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  // The leader writes out.part, starts a detached cleaner (up before ready), exits on SIGTERM; the
  // cleaner removes out.part 300 ms after the SIGTERM reached it, then exits.
  const cleaner = `process.on("SIGTERM", () => setTimeout(() => { require("fs").rmSync(process.argv[1]); process.exit(0); }, 300)); console.log("up"); setInterval(() => {}, 1000)`;
  const leader = `const fs = require("fs"); const { spawn } = require("child_process"); const part = require("path").join(process.argv[1], "out.part"); fs.writeFileSync(part, "half"); const c = spawn(process.execPath, ["-e", ${JSON.stringify(cleaner)}, part, ${JSON.stringify(mark)}], { detached: true, stdio: ["ignore", "pipe", "ignore"] }); c.stdout.once("data", () => { c.stdout.destroy(); console.log("ready"); }); process.on("SIGTERM", () => { process.kill(c.pid, "SIGTERM"); process.exit(0); }); setInterval(() => {}, 1000)`;
  const file = path.join(dir, 'settle.scenario.yaml');
  fs.writeFileSync(file, `
- name: settle
  target: { command: node, args: ['-e', ${JSON.stringify(leader)}, ${JSON.stringify(dir)}], ready: { log: '^ready$' } }
  strike: { at: { afterReadyMs: 50 }, signal: SIGTERM }
  expect: { exit: { codes: [0] }, filesDir: ${JSON.stringify(dir)}, filesAbsent: ['*.part'], noOrphans: { withinMs: 5000 } }
`);
  const outDir = path.join(dir, 'out');
  const r = await runCli(['run', file], { mark, outDir });
  const run = r.results?.runs[0];
  t.equal(run?.verdict, 'pass', JSON.stringify(run?.checks.filter((c) => !c.passed)));
  t.equal(run?.checks.find((c) => c.name === 'files-absent')?.passed, true, 'the cleaner had its time: no partial file');
  t.match(run?.checks.find((c) => c.name === 'no-orphans')?.message, /1 exited by themselves within the 5000 ms grace/);
  t.same(survivors(mark), []);
});

t.test('files checks say when the harness had killed before the snapshot', async (t) => {
  const spec = RunSpecSchema.parse({ name: 'x', target: { command: 'x' }, expect: { filesAbsent: ['*.part'], filesIntact: ['data'] } });
  const events = [
    { type: 'target:spawned', t: 1, pid: 10, pgid: 10, command: 'x', args: [], cwd: '/' },
    { type: 'harness:stop', t: 5, reason: 'timeout' },
    { type: 'files:snapshot', t: 6, purpose: 'absent', globs: ['*.part'], files: [], afterHarnessKill: true },
    { type: 'files:snapshot', t: 6, purpose: 'intact', globs: ['data'], files: [{ path: 'data', size: 1 }], afterHarnessKill: true },
  ] as unknown as HistoryEvent[];
  const checks = judge(spec, events);
  for (const name of ['files-absent', 'files-intact']) {
    t.match(checks.find((c) => c.name === name)?.message, /the harness had killed processes of the run before these files were looked at/, name);
  }
  const clean = judge(spec, events.map((e) => (e.type === 'files:snapshot' ? { ...e, afterHarnessKill: undefined } : e)) as HistoryEvent[]);
  t.notMatch(clean.find((c) => c.name === 'files-absent')?.message, /harness had killed/, 'no note without a kill');
});
