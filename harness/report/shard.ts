import crypto from 'node:crypto';
import { HarnessError } from '../errors.js';

// One shard of a suite: `index` is 1-based, as in `--shard 2/3`.
export interface Shard {
  index: number;
  total: number;
}

// Parses `K/N` (1 <= K <= N); throws HarnessError('USAGE') naming the option and the fix otherwise.
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(String(text));
  if (!match) {
    throw new HarnessError('USAGE', `\`--shard\` must be K/N (shard K of N, e.g. 2/3), got ${JSON.stringify(text)}; pass two positive integers separated by a slash`);
  }
  const index = Number(match[1]);
  const total = Number(match[2]);
  if (!Number.isSafeInteger(total) || total < 1) {
    throw new HarnessError('USAGE', `\`--shard\`: the shard count N must be at least 1, got ${JSON.stringify(text)}; use e.g. --shard 1/3`);
  }
  if (!Number.isSafeInteger(index) || index < 1 || index > total) {
    throw new HarnessError('USAGE', `\`--shard\`: the shard number K must be between 1 and ${total}, got ${JSON.stringify(text)}; shards are numbered from 1, e.g. --shard 1/${total} .. ${total}/${total}`);
  }
  return { index, total };
}

// The runs of one shard, in their original order. Deterministic and balanced: the keys are sorted
// (by code unit, so no locale is involved; equal keys keep their input order) and dealt round-robin,
// so shard sizes differ by at most one and the N shards together hold every run exactly once.
export function selectShard<T>(runs: readonly T[], shard: Shard, key: (run: T) => string): T[] {
  const { index, total } = shard;
  if (!Number.isSafeInteger(total) || total < 1 || !Number.isSafeInteger(index) || index < 1 || index > total) {
    throw new HarnessError('USAGE', `shard must be {index, total} with 1 <= index <= total, got ${JSON.stringify(shard)}; build it with parseShard('K/N')`);
  }
  const order = runs
    .map((run, position) => ({ key: key(run), position }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.position - b.position));
  const chosen = new Set<number>();
  order.forEach((entry, rank) => {
    if (rank % total === index - 1) chosen.add(entry.position);
  });
  return runs.filter((_, position) => chosen.has(position));
}

// The identity of a sharded suite: a hash of every planned run id (the whole list, before the shard
// was picked; order-free) and the shard count. Shards of one suite share it, whatever their seed.
export function suiteIdentity(allRunIds: readonly string[], total: number): string {
  const hash = crypto.createHash('sha256');
  hash.update(`shards=${total}\n`);
  for (const id of [...allRunIds].sort()) hash.update(`${id}\n`);
  return hash.digest('hex').slice(0, 16);
}
