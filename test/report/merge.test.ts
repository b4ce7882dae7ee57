import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { syntheticRun, syntheticSuite, writeSuite } from '../../bench/report1000.js';
import { isHarnessError } from '../../harness/errors.js';
import { loadResults } from '../../harness/report/compare.js';
import { mergeResults } from '../../harness/report/merge.js';
import { parseShard, selectShard } from '../../harness/report/shard.js';
import { tempDir } from '../fixtures/report/suite.js';

async function writeShard(dir: string, items: ReturnType<typeof syntheticSuite>, label: string): Promise<void> {
  const results = await writeSuite(dir, items);
  results.options = { shard: label };
  await fs.writeFile(path.join(dir, 'results.json'), JSON.stringify(results));
}

t.test('3 shards chosen by selectShard merge back into the unsharded run list', async (t) => {
  const root = await tempDir(t);
  const all = syntheticSuite(50);
  const ids = all.map((x) => x.run.id);
  const shards = [1, 2, 3].map((index) => selectShard(all, { index, total: 3 }, (x) => x.run.id));
  t.same(shards.map((s) => s.length).sort(), [16, 17, 17], 'balanced');
  t.equal(new Set(shards.flat().map((x) => x.run.id)).size, all.length, 'disjoint and complete');
  // Deterministic, and independent of the input order.
  const reversed = [...all].reverse();
  for (let index = 1; index <= 3; index++) {
    const again = selectShard(reversed, { index, total: 3 }, (x) => x.run.id).map((x) => x.run.id).sort();
    t.same(again, shards[index - 1]!.map((x) => x.run.id).sort(), `shard ${index} does not depend on the order`);
  }
  t.same(selectShard(all, { index: 1, total: 1 }, (x) => x.run.id), all);

  const dirs: string[] = [];
  for (const [k, items] of shards.entries()) {
    const dir = path.join(root, `shard-${k + 1}`);
    await writeShard(dir, items, `${k + 1}/3`);
    dirs.push(dir);
  }
  const out = path.join(root, 'merged');
  const merged = await mergeResults(dirs, { outDir: out });
  t.same(merged.runs.map((r) => r.id).sort(), [...ids].sort(), 'same run ids as unsharded');
  t.equal(merged.status, 'failed');
  t.same(merged.options?.['shards'], ['1/3', '2/3', '3/3']);
  t.same(merged.options?.['missingShards'], []);
  for (const run of merged.runs) {
    t.match(run.history, /^runs\/[^/]+\/events\.jsonl$/, 'history relative to the merged dir');
    const original = all.find((x) => x.run.id === run.id)!;
    const text = await fs.readFile(path.join(out, run.history!), 'utf8');
    t.equal(text.split('\n').filter(Boolean).length, original.events.length, `${run.id}: history copied`);
    t.match(run.shard, /^[123]\/3$/);
  }
  // The merged results validate, and merging two shards reports the missing one.
  await fs.writeFile(path.join(out, 'results.json'), JSON.stringify(merged));
  t.equal(loadResults(out).runs.length, all.length);
  // Fails closed on the lost shard unless allowed (then the gap is recorded).
  await t.rejects(mergeResults(dirs.slice(0, 2)), { code: 'GATE_FAILED', message: /shard 3\/3 missing \(given 2 of 3\)/ });
  const partial = await mergeResults(dirs.slice(0, 2), { allowMissingShards: true });
  t.same(partial.options?.['missingShards'], ['3/3']);
  t.same(partial.gateWaived, ['shard 3/3 missing (given 2 of 3)']);
  t.ok(path.isAbsolute(partial.runs[0]!.history!), 'without an out dir, history paths point into the shards');
});

t.test('merge rejects the same run twice but keeps repeats apart', async (t) => {
  const root = await tempDir(t);
  const a = path.join(root, 'a');
  const b = path.join(root, 'b');
  const c = path.join(root, 'c');
  const run = (repeat: number): ReturnType<typeof syntheticRun> => syntheticRun({ id: 'seed/x/correct[signal=SIGTERM]', scenario: 'seed/x/correct', seed: 1, repeat });
  await writeShard(a, [run(0)], '1/2');
  await writeShard(b, [run(1)], '2/2');
  await writeShard(c, [run(0)], '2/2');
  const out = path.join(root, 'out');
  const merged = await mergeResults([a, b], { outDir: out });
  t.same(merged.runs.map((r) => r.repeat), [0, 1]);
  t.same(merged.runs.map((r) => r.history), ['runs/seed_x_correct_signal_SIGTERM_/events.jsonl', 'runs/seed_x_correct_signal_SIGTERM_-2/events.jsonl'], 'history folders of the same name do not collide');
  for (const r of merged.runs) await fs.access(path.join(out, r.history!));
  await t.rejects(mergeResults([a, c], { outDir: path.join(root, 'out2') }), { code: 'RESULTS_INVALID', message: /is in both .*a and .*c/ });
  await t.rejects(mergeResults([]), { code: 'USAGE' });
  await t.rejects(mergeResults([path.join(root, 'missing')]), { code: 'RESULTS_INVALID' });
});

t.test('parseShard', async (t) => {
  t.same(parseShard('2/3'), { index: 2, total: 3 });
  t.same(parseShard(' 1 / 1 '), { index: 1, total: 1 });
  for (const bad of ['0/3', '4/3', '1/0', 'abc', '2', '-1/3', '1.5/3']) {
    try {
      parseShard(bad);
      t.fail(`${bad} should be rejected`);
    } catch (error) {
      t.ok(isHarnessError(error, 'USAGE'), `${bad}: USAGE`);
      t.match((error as Error).message, /`--shard`/);
    }
  }
  t.throws(() => selectShard([1], { index: 3, total: 2 }, String), { code: 'USAGE' });
});
