// compare (two results, and A/B interleaved in one run), report (re-judge from histories),
// shard + merge, all through the CLI on real runs.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES, killSurvivors, newMark, runCli, tempDir, writeScenario } from '../helpers/cli.js';

const T = path.join(FIXTURES, 'targets');
const mark = newMark();
t.teardown(() => {
  killSurvivors(mark);
});

// Two "builds" of one target: the second takes 300 ms longer to exit.
const ab = writeScenario(`
- name: ab
  matrix: { build: ['0', '300'] }
  target: { command: node, args: ['${T}/graceful.mjs', '--delay', '{build}'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] }, timeToExitMs: { max: 5000 } }
`);

t.test('A/B builds interleaved in one run; compare --split flags the slower one', async (t) => {
  const r = await runCli(['run', ab, '--repeat', '3'], { mark });
  t.equal(r.code, 0);
  t.same(r.results!.runs.map((x) => x.id), ['ab[build=0]#1', 'ab[build=300]#1', 'ab[build=0]#2', 'ab[build=300]#2', 'ab[build=0]#3', 'ab[build=300]#3'], 'interleaved A B A B');
  t.match(r.stdout, /^Repeats \(pass rate, time to exit p50 \/ p95 \/ max\)$/m, 'the console summarizes repeats');
  t.match(r.stdout, /^ {2}3\/3 {2}ab\[build=0\] {2}[\d.]+ \/ [\d.]+ \/ [\d.]+ ms$/m);
  t.match(r.stdout, /^ {2}3\/3 {2}ab\[build=300\] {2}[\d.]+ \/ [\d.]+ \/ [\d.]+ ms$/m);
  const c = await runCli(['compare', r.outDir, '--split', 'build', '--max-slowdown', '20%'], { mark });
  t.equal(c.code, 1, c.stdout);
  t.match(c.stdout, /^ab .*REGRESSION/m);
  t.ok(fs.existsSync(path.join(r.outDir, 'compare.html')));
  const same = await runCli(['compare', r.outDir, r.outDir], { mark });
  t.equal(same.code, 0, 'a results file compared with itself does not flag');
});

t.test('report DIR re-judges saved histories with the saved (edited) expectations', async (t) => {
  const file = writeScenario(`
- name: rejudge
  target: { command: node, args: ['${T}/graceful.mjs'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] } }
`);
  const r = await runCli(['run', file], { mark });
  t.equal(r.code, 0);
  const run = r.results!.runs[0]!;
  const specFile = path.join(r.outDir, path.dirname(run.history!), 'spec.json');
  const spec = JSON.parse(fs.readFileSync(specFile, 'utf8'));
  spec.expect.exit.codes = [3];
  fs.writeFileSync(specFile, JSON.stringify(spec));
  const again = await runCli(['report', r.outDir], { mark });
  t.equal(again.code, 1);
  t.match(again.stdout, /re-judged 1 runs from their histories \(1 verdict changed\)/);
  const results = JSON.parse(fs.readFileSync(path.join(r.outDir, 'results.json'), 'utf8'));
  t.equal(results.runs[0].verdict, 'fail');
  t.match(results.runs[0].checks[0].message, /exited with code 0, expected code 3/);
});

t.test('--shard K/N splits the runs; merge gives back the whole suite', async (t) => {
  const file = writeScenario(`
- name: shard
  matrix: { n: [1, 2, 3, 4, 5] }
  target: { command: node, args: ['${T}/graceful.mjs'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] } }
`);
  const all = await runCli(['list', file], { mark });
  const ids = all.stdout.split('\n').filter((l) => l.startsWith('shard[')).map((l) => l.split('  ')[0]).sort();
  t.equal(ids.length, 5);
  const dirs: string[] = [];
  const seen: string[] = [];
  for (const k of [1, 2, 3]) {
    const r = await runCli(['run', file, '--shard', `${k}/3`], { mark });
    t.equal(r.code, 0);
    dirs.push(r.outDir);
    seen.push(...r.results!.runs.map((x) => x.id));
  }
  t.same([...seen].sort(), ids, 'the shards cover every run exactly once');
  const out = tempDir();
  const m = await runCli(['merge', ...dirs, '--out', out], { mark });
  t.equal(m.code, 0, m.stderr);
  const merged = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
  t.same(merged.runs.map((r: { id: string }) => r.id).sort(), ids);
  for (const r of merged.runs) t.ok(fs.existsSync(path.join(out, r.history)), `history of ${r.id} copied`);
  t.ok(fs.existsSync(path.join(out, 'index.html')) && fs.existsSync(path.join(out, 'junit.xml')));
  const bad = await runCli(['run', file, '--shard', '4/3'], { mark });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /`--shard`: the shard number K must be between 1 and 3, got "4\/3"/);
});
