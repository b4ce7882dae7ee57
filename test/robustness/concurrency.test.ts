// Item 4 of issue 6: with --concurrency N, runs never share ports, temp dirs ({tmp}) or output
// folders. Six runs, three at a time; each target binds its {port}, claims its {tmp} and reports
// its {out}; the assertions read the histories and results.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { MISBEHAVING, readEvents, readResults, runCli, tempDir, writeFile, y } from './cli.js';
import { describeSurvivors, killSurvivors, newMark } from '../helpers/oracle.js';

t.test('--concurrency 3: no two runs share a port, a temp dir or an output folder', async (t) => {
  // Guards: per-run resources in run/run-one.ts: freePort() never hands out a port twice
  // (target/ports.ts), a fresh mkdtemp for {tmp}, and a distinct run folder (run/plan.ts
  // runDirName). Checked: with {tmp} made one shared folder, targets found it not empty and
  // clobbered each other's owner file; with freePort() returning one fixed port, later runs failed
  // with EADDRINUSE; with runDirName() returning a constant, histories overwrote each other: each
  // time this test failed.
  const mark = newMark('concurrency');
  const dir = tempDir('concurrency');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const scenario = writeFile(dir, 'resources.scenario.yaml', `
- name: resources
  target:
    command: node
    args: [${y(path.join(MISBEHAVING, 'resources.mjs'))}, '{port}', '{tmp}', '{out}', 'run-{n}']
    ready: { port: true, timeoutMs: 5000 }
  matrix: { n: [1, 2, 3, 4, 5, 6] }
  strike: { at: { afterReadyMs: 400 }, signal: SIGTERM, escalate: { afterMs: 3000 } }
  expect:
    exit: { codes: [0] }
    logPresent: ['^owner intact$']
    logAbsent: ['tmp not empty', 'clobbered']
`);
  const out = path.join(dir, 'out');
  const res = await runCli(['run', scenario, '--out', out, '--concurrency', '3'], { mark });
  t.equal(res.code, 0, `every run passes\n${res.stdout}\n${res.stderr}`);
  const runs = readResults(out).runs;
  t.equal(runs.length, 6);

  const seen = runs.map((run) => {
    const events = readEvents(out, run['history']);
    const start = events.find((e) => e['type'] === 'run:start')!;
    const spawned = events.find((e) => e['type'] === 'target:spawned')!;
    const ready = events.find((e) => e['type'] === 'log:line' && /^ready port=/.test(e['line']))?.['line'] as string | undefined;
    const m = /^ready port=(\d+) tmp=(\S+) out=(\S+)$/.exec(ready ?? '');
    const exit = events.find((e) => e['type'] === 'target:exit')!;
    const origin = Date.parse(start['originWall']);
    return {
      id: run['id'] as string, runId: start['runId'] as string, history: run['history'] as string,
      port: spawned['port'] as number, printedPort: Number(m?.[1]), tmp: m?.[2], outDir: m?.[3],
      // Wall-clock interval the target lived (ms since the epoch), to see that runs overlapped.
      from: origin + spawned['t'], to: origin + exit['t'],
    };
  });
  for (const s of seen) {
    t.equal(s.runId, s.id, `${s.id}: its history holds its own run`);
    t.equal(s.printedPort, s.port, `${s.id}: the target listened on the port the harness gave it`);
    t.equal(s.outDir, path.join(out, path.dirname(s.history)), `${s.id}: {out} is its own run folder`);
    t.ok(s.tmp && !fs.existsSync(s.tmp), `${s.id}: its temp dir ${s.tmp} was removed after the run`);
  }
  const distinct = (values: unknown[]): number => new Set(values).size;
  t.equal(distinct(seen.map((s) => s.port)), 6, `six distinct ports: ${seen.map((s) => s.port).join(', ')}`);
  t.equal(distinct(seen.map((s) => s.tmp)), 6, 'six distinct temp dirs');
  t.equal(distinct(seen.map((s) => s.outDir)), 6, 'six distinct output folders');
  t.equal(distinct(seen.map((s) => s.history)), 6, 'six distinct histories');
  // The runs did overlap (otherwise sharing could not show).
  let most = 0;
  for (const s of seen) most = Math.max(most, seen.filter((o) => o.from <= s.from && s.from < o.to).length);
  t.ok(most >= 2 && most <= 3, `up to ${most} targets were alive at once`);
  t.comment(`up to ${most} targets alive at once with --concurrency 3`);
  t.same(describeSurvivors(mark), [], 'nothing left');
});
