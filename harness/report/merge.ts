import fs from 'node:fs/promises';
import path from 'node:path';
import { HarnessError } from '../errors.js';
import { loadResults, resolveResultsPath } from './compare.js';
import type { ResultsFile, RunResult, SuiteStatus } from './types.js';

export interface MergeOptions {
  // The merged out dir: each run's history folder is copied to `<outDir>/runs/<dir>/` and its
  // `history` path made relative to it. Without it nothing is copied and `history` paths become
  // absolute paths into the shard dirs.
  outDir?: string;
  // Merge although shards are missing (or hold fewer runs than they planned): recorded in the
  // result's `options.missingShards` and `gateWaived`.
  allowMissingShards?: boolean;
  // Merge shards of different suites (another run list or shard count), or a whole suite among shards.
  allowForeignShards?: boolean;
}

// What the shard gate found: each a line saying what is missing, doubled or foreign.
export interface ShardProblems {
  missing: string[];
  duplicate: string[];
  foreign: string[];
}

const STATUS_ORDER: SuiteStatus[] = ['passed', 'failed', 'interrupted', 'error'];

// A shard's place in its suite: from results.json `shard` (K, N and the suite's hash), or from an
// older writer's `options.shard` label `K/N` (no hash). Undefined for an unsharded suite.
function shardOf(results: ResultsFile): { index: number; total: number; suite?: string; planned?: number } | undefined {
  const s = results.shard;
  if (s && Number.isInteger(s.index) && Number.isInteger(s.total)) return { index: s.index, total: s.total, suite: s.suite, planned: s.runs };
  const label = results.options?.['shard'];
  const m = typeof label === 'string' ? /^(\d+)\/(\d+)$/.exec(label) : null;
  return m ? { index: Number(m[1]), total: Number(m[2]) } : undefined;
}

// The shard gate over loaded inputs: shards K of N missing (or holding fewer runs than they
// planned), a shard given twice, and inputs of another suite (another run list hash or N, or an
// unsharded suite among shards). Inputs that are all unsharded are not judged here.
export function shardProblems(inputs: ReadonlyArray<{ arg: string; results: ResultsFile }>): ShardProblems {
  const problems: ShardProblems = { missing: [], duplicate: [], foreign: [] };
  const shards = inputs.map((i) => ({ ...i, shard: shardOf(i.results) }));
  const sharded = shards.filter((s) => s.shard);
  if (!sharded.length) return problems;
  const ref = sharded[0]!;
  const { total, suite } = ref.shard!;
  const byIndex = new Map<number, string>();
  for (const s of shards) {
    const me = s.shard;
    if (!me) {
      problems.foreign.push(`${s.arg} is a whole suite, not a shard of ${total}`);
      continue;
    }
    if (me.total !== total || (suite !== undefined && me.suite !== undefined && me.suite !== suite)) {
      problems.foreign.push(`${s.arg} (shard ${me.index}/${me.total}${me.suite ? ` of suite ${me.suite}` : ''}) is from another suite than ${ref.arg} (shard ${ref.shard!.index}/${total}${suite ? ` of suite ${suite}` : ''}): another run list or shard count`);
      continue;
    }
    const earlier = byIndex.get(me.index);
    if (earlier !== undefined) {
      problems.duplicate.push(`shard ${me.index}/${total} is given twice: ${earlier} and ${s.arg}`);
      continue;
    }
    byIndex.set(me.index, s.arg);
    if (me.planned !== undefined && s.results.runs.length < me.planned) {
      problems.missing.push(`shard ${me.index}/${total} (${s.arg}) holds ${s.results.runs.length} of its ${me.planned} runs`);
    }
  }
  const lost: string[] = [];
  for (let k = 1; k <= total; k++) if (!byIndex.has(k)) lost.push(`${k}/${total}`);
  if (lost.length) problems.missing.unshift(`shard${lost.length > 1 ? 's' : ''} ${lost.join(', ')} missing (given ${byIndex.size} of ${total})`);
  return problems;
}

// Merges the results of shard out dirs (or results.json files) into one results file: runs from
// every shard sorted by id then repeat, the worst suite status, the earliest start and latest finish.
// Fails closed: throws HarnessError('GATE_FAILED') with a line per problem when a shard is missing,
// given twice or from another suite (unless allowed by the options). Throws
// HarnessError('RESULTS_INVALID') when a shard is unreadable, still running, or the same run (id and
// repeat) appears twice, and HarnessError('USAGE') when no dir is given. Does not write results.json.
export async function mergeResults(dirs: readonly string[], options: MergeOptions = {}): Promise<ResultsFile> {
  if (dirs.length === 0) throw new HarnessError('USAGE', '`merge` needs at least one shard out dir, got none; e.g. shutdown-drill merge reports/shard-1 reports/shard-2');
  const outDir = options.outDir === undefined ? undefined : path.resolve(options.outDir);
  const shards = dirs.map((d) => ({ arg: d, ...resolveResultsPath(d), results: loadResults(d) }));
  const problems = shardProblems(shards);
  const blocking = [
    ...problems.duplicate,
    ...(options.allowForeignShards ? [] : problems.foreign.map((p) => `${p} (pass --allow-foreign-shards to merge it anyway)`)),
    ...(options.allowMissingShards ? [] : problems.missing.map((p) => `${p} (pass --allow-missing-shards to merge an incomplete suite)`)),
  ];
  if (blocking.length) {
    throw new HarnessError('GATE_FAILED', `merge: not merged, the shards do not make up one whole suite: ${blocking.join('; ')}`, { problems: blocking });
  }
  const waived = [...(options.allowMissingShards ? problems.missing : []), ...(options.allowForeignShards ? problems.foreign : [])];
  const seen = new Map<string, string>();
  const usedFolders = new Set<string>();
  const runs: RunResult[] = [];
  const copies: Array<{ from: string; to: string }> = [];
  for (const shard of shards) {
    const place = shardOf(shard.results);
    const label = place ? `${place.index}/${place.total}` : shard.arg;
    for (const original of shard.results.runs) {
      const key = `${original.id}\u0000${original.repeat}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        throw new HarnessError('RESULTS_INVALID', `merge: run ${JSON.stringify(original.id)} (repeat ${original.repeat}) is in both ${earlier} and ${shard.arg}; merge the outputs of disjoint shards (run --shard K/N with the same N and a different K each)`);
      }
      seen.set(key, shard.arg);
      const run: RunResult = { ...original, shard: original.shard ?? label };
      if (run.history) {
        const source = path.resolve(shard.dir, run.history);
        if (!outDir) {
          run.history = source;
        } else {
          // The history's folder (runs/<dir>/), copied whole so attachments travel with it.
          // A history outside a folder of its own inside the shard dir is copied alone.
          const folder = path.dirname(source);
          const own = isInsideOrSame(folder, shard.dir) && path.resolve(folder) !== path.resolve(shard.dir);
          const base = own ? path.basename(folder) : run.id.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'run';
          let name = base;
          for (let i = 2; usedFolders.has(name); i++) name = `${base}-${i}`;
          usedFolders.add(name);
          const target = path.join(outDir, 'runs', name);
          const from = own ? folder : source;
          const to = own ? target : path.join(target, path.basename(source));
          if (path.resolve(from) !== path.resolve(to)) copies.push({ from, to });
          run.history = path.relative(outDir, path.join(target, path.basename(source))).split(path.sep).join('/');
        }
      }
      runs.push(run);
    }
  }
  if (outDir) {
    for (const { from, to } of copies) {
      try {
        await fs.cp(from, to, { recursive: true, force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // history missing in the shard: the run keeps a dangling path, the report says so
        throw error;
      }
    }
  }
  runs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.repeat - b.repeat));
  const first = shards[0]!.results;
  const startedAt = shards.map((s) => s.results.startedAt).filter(Boolean).sort()[0] ?? first.startedAt;
  const finishedAt = shards.map((s) => s.results.finishedAt).filter(Boolean).sort().at(-1) ?? first.finishedAt;
  const status = shards.map((s) => s.results.status).reduce((worst, s) => (STATUS_ORDER.indexOf(s) > STATUS_ORDER.indexOf(worst) ? s : worst), 'passed' as SuiteStatus);
  const versions = new Set(shards.map((s) => s.results.schemaVersion));
  const shardLabels = shards.map((s) => shardOf(s.results)).filter((s) => s !== undefined).map((s) => `${s.index}/${s.total}`);
  return {
    schemaVersion: Math.max(...versions),
    tool: first.tool,
    startedAt,
    finishedAt,
    status,
    machine: first.machine,
    options: { ...(first.options ?? {}), shard: undefined, mergedFrom: dirs.map((d) => d), shards: shardLabels, missingShards: missingShards(shardLabels) },
    ...(waived.length ? { gateWaived: waived } : {}),
    runs,
    // Each sweep ran whole in one shard.
    ...(shards.some((s) => s.results.sweeps) ? { sweeps: shards.flatMap((s) => s.results.sweeps ?? []) } : {}),
  };
}

function isInsideOrSame(child: string, parent: string): boolean {
  const rel = path.relative(path.resolve(parent), path.resolve(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

// Shards `K/N` absent from a list of labels (when every label is K/N with the same N).
function missingShards(labels: string[]): string[] {
  const parsed = labels.map((l) => /^(\d+)\/(\d+)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  if (!parsed.length || parsed.length !== labels.length) return [];
  const total = Number(parsed[0]![2]);
  if (parsed.some((m) => Number(m[2]) !== total)) return [];
  const have = new Set(parsed.map((m) => Number(m[1])));
  const missing: string[] = [];
  for (let k = 1; k <= total; k++) if (!have.has(k)) missing.push(`${k}/${total}`);
  return missing;
}
