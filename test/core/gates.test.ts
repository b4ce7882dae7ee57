// Issue 11, "gates fail closed": merge with a lost, doubled or foreign shard, compare with a
// missing scenario, a run that executes nothing, and a results.json of a suite still running (or
// whose harness was SIGKILLed) never give a green exit. Each opt-out flag lets it through.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES, killSurvivors, newMark, runCli, startCli, tempDir, waitForFile, writeScenario } from '../helpers/cli.js';
import type { ResultsFile } from '../../harness/report/types.js';

const T = path.join(FIXTURES, 'targets');
const mark = newMark('gates');
t.teardown(() => {
  killSurvivors(mark);
});

const quick = (name: string, extra = ''): string => `
- name: ${name}
  ${extra}
  target: { command: node, args: ['${T}/graceful.mjs'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] } }
`;
const suite = writeScenario(quick('g', "matrix: { n: [1, 2, 3, 4] }"));
const readResults = (dir: string): ResultsFile => JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as ResultsFile;

// Resolves when `count` runs of the out dir (folders named `prefix`...) have logged that their target
// is ready (under way).
async function runUnderWay(outDir: string, count = 1, prefix = ''): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    let ready = 0;
    try {
      for (const d of fs.readdirSync(path.join(outDir, 'runs')).filter((n) => n.startsWith(prefix))) {
        try {
          if (fs.readFileSync(path.join(outDir, 'runs', d, 'events.jsonl'), 'utf8').includes('"type":"target:ready"')) ready++;
        } catch {
          // not yet
        }
      }
    } catch {
      // no runs/ yet
    }
    if (ready >= count) return;
    if (Date.now() > deadline) throw new Error(`no run of ${outDir} got ready in time`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('merge fails closed on a lost, doubled or foreign shard; --allow-missing-shards merges an incomplete suite', async (t) => {
  const s1 = await runCli(['run', suite, '--shard', '1/2'], { mark });
  const s2 = await runCli(['run', suite, '--shard', '2/2'], { mark });
  t.equal(s1.code, 0, s1.stderr);
  t.equal(s2.code, 0, s2.stderr);
  t.match(s1.results!.shard, { index: 1, total: 2, suiteRuns: 4, runs: 2 });
  t.equal(s1.results!.shard!.suite, s2.results!.shard!.suite, 'both shards name the same suite');

  // The lost shard: exit 1, a line naming it, nothing written.
  const out = tempDir();
  const lost = await runCli(['merge', s1.outDir, '--out', out], { mark });
  t.equal(lost.code, 1, lost.stderr);
  t.match(lost.stderr, /merge: not merged, .*shard 2\/2 missing \(given 1 of 2\) \(pass --allow-missing-shards/);
  t.same(fs.readdirSync(out), [], 'nothing written');

  const allowed = await runCli(['merge', s1.outDir, '--out', out, '--allow-missing-shards'], { mark });
  t.equal(allowed.code, 0, allowed.stderr);
  t.match(allowed.stderr, /note: merged anyway: shard 2\/2 missing/);
  const partial = readResults(out);
  t.same(partial.options?.['missingShards'], ['2/2']);
  t.equal(partial.runs.length, 2);

  const doubled = await runCli(['merge', s1.outDir, s1.outDir, s2.outDir, '--out', tempDir()], { mark });
  t.equal(doubled.code, 1, doubled.stderr);
  t.match(doubled.stderr, /shard 1\/2 is given twice/);

  // A shard of another suite (another run list): same K/N, another suite hash.
  const other = writeScenario(quick('g', "matrix: { n: [1, 2, 3, 4, 5] }"));
  const f2 = await runCli(['run', other, '--shard', '2/2'], { mark });
  t.equal(f2.code, 0, f2.stderr);
  t.not(f2.results!.shard!.suite, s1.results!.shard!.suite);
  const foreign = await runCli(['merge', s1.outDir, f2.outDir, '--out', tempDir()], { mark });
  t.equal(foreign.code, 1, foreign.stderr);
  t.match(foreign.stderr, /is from another suite than .*--allow-foreign-shards/);

  const whole = await runCli(['merge', s1.outDir, s2.outDir, '--out', tempDir()], { mark });
  t.equal(whole.code, 0, whole.stderr);
  t.match(whole.stdout, /merged 2 shard\(s\), 4 runs \(passed\)/);
});

t.test('compare exits 1 when a base scenario is missing from current; --allow-missing accepts it', async (t) => {
  const two = writeScenario(quick('keep') + quick('lost'));
  const base = await runCli(['run', two], { mark });
  const current = await runCli(['run', two, '--grep', '^keep$'], { mark });
  t.equal(base.code, 0, base.stderr);
  t.equal(current.code, 0, current.stderr);
  const c = await runCli(['compare', base.outDir, current.outDir], { mark });
  t.equal(c.code, 1, c.stdout + c.stderr);
  t.match(c.stderr, /compare: 1 base scenario\(s\) missing from current: lost; .*--allow-missing/);
  // Timings are not judged here (one sample each is noise: a 12 -> 24 ms wobble is a "regression").
  const ok = await runCli(['compare', base.outDir, current.outDir, '--allow-missing', '--max-slowdown', '100000'], { mark });
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stderr, /note: 1 base scenario\(s\) missing from current: lost; accepted because of --allow-missing/);
  // New scenarios in current are not a gap (timings are not judged here: one sample each is noise).
  const reverse = await runCli(['compare', current.outDir, base.outDir, '--max-slowdown', '100000'], { mark });
  t.equal(reverse.code, 0, reverse.stdout + reverse.stderr);
  t.match(reverse.stdout, /, 1 new, 0 missing /);
  t.notMatch(reverse.stderr, /missing from current/);
});

t.test('a run that executes nothing exits 1; --pass-with-no-runs lets it pass', async (t) => {
  const skipped = writeScenario(quick('needs-tool', "requires: { commands: ['no-such-command-for-drill'] }"));
  const r = await runCli(['run', skipped], { mark });
  t.equal(r.code, 1, r.stderr);
  t.match(r.stderr, /no run executed: all 1 planned run\(s\) were skipped \(.*no-such-command-for-drill.*\); a suite that ran nothing does not pass: .*--pass-with-no-runs/);
  t.equal(r.results!.status, 'failed');
  t.same(r.results!.runs.map((x) => x.verdict), ['skipped']);
  const ok = await runCli(['run', skipped, '--pass-with-no-runs'], { mark });
  t.equal(ok.code, 0, ok.stderr);
  t.equal(ok.results!.status, 'passed');
  t.match(ok.stderr, /note: no run executed: .*passing because of --pass-with-no-runs/);

  const none = await runCli(['run', suite, '--grep', 'nothing-matches'], { mark });
  t.equal(none.code, 1, none.stderr);
  t.match(none.stderr, /no run executed: no run matches --grep nothing-matches in /);
  t.equal(none.results!.status, 'failed');
  t.same(none.results!.runs, []);
  const noneOk = await runCli(['run', suite, '--grep', 'nothing-matches', '--pass-with-no-runs'], { mark });
  t.equal(noneOk.code, 0, noneOk.stderr);
});

const slow = (name: string): string => `
- name: ${name}
  target: { command: node, args: ['${T}/graceful.mjs'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 30000 }, signal: SIGTERM }
  timeoutMs: 60000
  expect: { exit: { codes: [0] } }
`;
const failing = `
- name: a-fails
  target: { command: node, args: ['${T}/graceful.mjs', '--code', '3'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] } }
`;

t.test('a harness SIGKILLed mid-suite leaves results.json "running", never "passed"; merge, compare and report refuse it', async (t) => {
  const file = writeScenario(failing + slow('b-slow'));
  const h = startCli(['run', file], { mark });
  await runUnderWay(h.outDir, 2); // the failing run has ended and been recorded; the slow one is under way
  h.child.kill('SIGKILL');
  const r = await h.done;
  t.equal(r.signal, 'SIGKILL');
  const results = readResults(h.outDir);
  t.equal(results.status, 'running');
  t.equal(results.finishedAt, null);
  t.same(results.runs.map((x) => [x.id, x.verdict]), [['a-fails', 'fail']]);

  for (const args of [['merge', h.outDir, '--out', tempDir()], ['compare', h.outDir, h.outDir], ['report', h.outDir]]) {
    const refused = await runCli(args, { mark });
    t.equal(refused.code, 2, `${args[0]}: exit 2`);
    t.match(refused.stderr, /is of a suite that is still running or whose harness was killed \(status "running"/, `${args[0]} says why`);
  }
  t.equal(readResults(h.outDir).status, 'running', 'report did not rewrite it');
});

t.test('a harness SIGKILLed before its first run ended does not leave the previous results.json as if current', async (t) => {
  const outDir = tempDir();
  const before = await runCli(['run', writeScenario(quick('old'))], { mark, outDir });
  t.equal(before.code, 0, before.stderr);
  const old = readResults(outDir);
  t.equal(old.status, 'passed');
  const h = startCli(['run', writeScenario(slow('new-slow'))], { mark, outDir });
  await runUnderWay(outDir, 1, 'new-slow');
  h.child.kill('SIGKILL');
  await h.done;
  const now = readResults(outDir);
  t.equal(now.status, 'running');
  t.equal(now.finishedAt, null);
  t.same(now.runs, [], 'none of the old runs');
  t.not(now.startedAt, old.startedAt);
  t.same(fs.readdirSync(path.join(outDir, 'runs')).filter((d) => d.startsWith('old')), [], 'the old run folder is gone');
});

t.test('results.json says "running" during the suite and the real status at the end', async (t) => {
  const h = startCli(['run', writeScenario(slow('watched'))], { mark });
  const text = await waitForFile(path.join(h.outDir, 'results.json'), (s) => s.includes('"status": "running"'));
  t.match(text, /"finishedAt": null/);
  await runUnderWay(h.outDir);
  h.child.kill('SIGTERM');
  const r = await h.done;
  t.equal(r.code, 143);
  t.equal(r.results!.status, 'interrupted');
  t.type(r.results!.finishedAt, 'string');
});
