// Issue 12's bug: a live run judged the unfilled spec (placeholders such as {seed} or {port} left
// in), while `shutdown-drill report DIR` re-judged the filled spec.json, so one history could get two
// verdicts. Now both judge the filled spec.
// Guards: executeRun judging `outcome.spec` (run-one.ts). Checked: with `judge(plan.spec, events)`
// put back, the live run failed files-intact ("{seed}.dat: missing") and this test failed.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { CLI, newMark, runCli, survivors, tempDir, writeScenario } from '../helpers/cli.js';

t.test('the same history judged live and by report DIR gives identical checks, with placeholders in the expectations', async (t) => {
  const mark = newMark('rejudge');
  const file = writeScenario(`
- name: placeholders
  target:
    command: node
    args: ['-e', 'require("fs").writeFileSync(require("path").join(process.argv[1], process.argv[2] + ".dat"), "abc"); process.on("SIGTERM", () => process.exit(0)); console.log("ready"); setInterval(() => {}, 1000)', '{tmp}', '{seed}']
    ready: { log: '^ready$' }
  strike: { at: { afterReadyMs: 50 }, signal: SIGTERM }
  expect:
    exit: { codes: [0] }
    filesDir: '{tmp}'
    filesIntact: [{ path: '{seed}.dat', size: 3 }]
`);
  const outDir = tempDir('rejudge-out-');
  t.teardown(() => {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    fs.rmSync(outDir, { recursive: true, force: true });
  });
  const live = await runCli(['run', file], { mark, outDir });
  t.equal(live.code, 0, `the live run passes: ${live.stdout.slice(0, 600)}`);
  const liveChecks = live.results?.runs[0]?.checks;
  t.ok(liveChecks?.some((c) => c.name === 'files-intact' && c.passed), 'files-intact passed live');
  const rebuilt = spawnSync(process.execPath, [CLI, 'report', outDir], { encoding: 'utf8' });
  t.equal(rebuilt.status, 0, rebuilt.stderr);
  t.match(rebuilt.stdout, /\(0 verdicts changed\)/);
  const again = JSON.parse(fs.readFileSync(path.join(outDir, 'results.json'), 'utf8')) as { runs: Array<{ checks: unknown[]; verdict: string; metrics: unknown }> };
  t.same(again.runs[0]?.checks, liveChecks, 'report DIR gives the same checks');
  // One judgeRun (run/judge-run.ts) composes checks, verdict and metrics both ways.
  t.equal(again.runs[0]?.verdict, 'pass');
  t.equal(live.results?.runs[0]?.verdict, 'pass');
  t.same(again.runs[0]?.metrics, live.results?.runs[0]?.metrics, 'report DIR gives the same metrics');
  t.same(survivors(mark), []);
});
