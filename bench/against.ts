// `npm run bench -- --against <git-rev>` (or `node dist/bench/against.js <git-rev>`): the bench of
// this checkout beside the bench of another revision, same machine, same run. The revision is
// checked out in a temporary git worktree (node_modules linked to this checkout's), built with its
// own `npm run build` (tsc where it has none),
// and the chosen phases of both benches run alternately (before, after, after, before, ...); the
// table gives each figure's median per side and the ratio after ÷ before. The worktree is removed
// at the end, also on an error or an interrupt; one left by a bench that was killed (SIGKILL) is
// removed by the next one.
// Options: --only PHASES, --quick, --rounds N, --ws-clients N (passed to both benches),
// --pairs N (bench runs per side, default 2), --tolerance PCT (what counts as the same, default
// 10), --fail-worse (exit 1 when a figure is worse or could not be compared), --out FILE.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage } from '../harness/errors.js';
import { formatIdentity, parseIdentity, provenDead, selfIdentity } from '../harness/target/identity.js';
import { FIGURE_KEYS, type Figure } from './figures.js';
import { repoRoot } from './paths.js';
import { collectStdout, endAll, endTracked, spawnTracked, type Tracked } from './procs.js';
import { PHASES } from './run.js';
import { round } from './stats.js';
import { grid } from './table.js';

export type Side = 'before' | 'after';

// What one comparison runs, and where.
export interface AgainstOptions {
  // The revision to compare with (anything `git rev-parse` takes).
  rev: string;
  // Passed to both benches: `--only` phases and the other bench flags (`--quick`, `--rounds N`).
  phases: string[];
  benchArgs: string[];
  // Bench runs per side.
  pairs: number;
  // Ratios within ±tolerance (fraction) count as the same.
  tolerance: number;
  out: string;
  // The checkout whose dist/ is the "after" side (built beforehand: `npm run bench` builds it).
  repo: string;
  log: (line: string) => void;
  signal: AbortSignal;
}

export interface AgainstRun {
  side: Side;
  pair: number;
  seconds: number;
  // The bench's exit code (null: it was killed), and why its figures are missing when they are.
  code: number | null;
  error?: string;
  figures?: Partial<Record<string, Figure>>;
}

export interface AgainstRow {
  figure: string;
  unit: string;
  goalKind: Figure['goalKind'];
  before: number | null;
  after: number | null;
  // after ÷ before (null when either is missing or before is 0).
  ratio: number | null;
  // 'unknown' when a side has no value: never counted as "no worse".
  verdict: 'better' | 'same' | 'worse' | 'unknown';
  note?: string;
}

// bench/results/against.json.
export interface AgainstResult {
  before: { rev: string; commit: string };
  after: { rev: string; commit: string; dirty: boolean };
  phases: string[];
  benchArgs: string[];
  tolerance: number;
  worktree: string;
  runs: AgainstRun[];
  rows: AgainstRow[];
}

// A usage error (exit 2): a revision that does not exist or does not build, a bad flag.
export class AgainstUsageError extends Error {}
class Interrupted extends Error {}

const PREFIX = 'shutdown-drill-against-';
const NAME = /^shutdown-drill-against-(\d+-\d+-\d+)-[A-Za-z0-9]{6}$/;

function git(args: string[], cwd: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? String(r.error ?? '')).trim() };
}

// Removes one comparison worktree: the node_modules link first (never followed), then git's
// record and the folder. Never throws.
export function removeWorktree(repo: string, dir: string): void {
  try {
    fs.unlinkSync(path.join(dir, 'node_modules'));
  } catch {
    // not linked yet, or gone
  }
  git(['worktree', 'remove', '--force', dir], repo);
  fs.rmSync(dir, { recursive: true, force: true });
  git(['worktree', 'prune'], repo);
}

// The comparison worktrees of benches that are provably dead (killed before their cleanup);
// removed, and returned.
export function removeStaleWorktrees(repo: string): string[] {
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return removed;
  }
  for (const name of names) {
    const id = parseIdentity(NAME.exec(name)?.[1] ?? '');
    if (!id || !provenDead(id)) continue;
    const dir = path.join(os.tmpdir(), name);
    removeWorktree(repo, dir);
    removed.push(dir);
  }
  return removed;
}

// Runs `command args` in `cwd` as a tracked child (its tree ended on interrupt); resolves with
// its exit and output. An abort sends it SIGINT (a bench ends its own processes), then ends it.
async function runChild(command: string, args: string[], cwd: string, signal: AbortSignal, tag: string, onErr?: (line: string) => void): Promise<{ code: number | null; stdout: string[]; stderr: string }> {
  if (signal.aborted) throw new Interrupted('interrupted');
  const t: Tracked = await spawnTracked(command, args, { tag, cwd });
  if (onErr) {
    let partial = '';
    t.child.stderr?.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop()!;
      for (const p of parts) onErr(p);
    });
  }
  const onAbort = (): void => {
    try {
      process.kill(t.pid, 'SIGINT');
    } catch {
      // gone
    }
    setTimeout(() => void endTracked(t), 15_000).unref();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await collectStdout(t);
    if (signal.aborted) throw new Interrupted('interrupted');
    return { code: r.code, stdout: r.lines, stderr: r.stderr };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

// The median of the non-null values.
function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// One row per figure measured by a selected phase: each side's median over its runs, the ratio,
// and whether after is better, the same (within the tolerance) or worse, by the figure's goal
// direction ('min' goals: higher is better; the others: lower is better).
export function compareRuns(runs: AgainstRun[], tolerance: number): AgainstRow[] {
  const keys = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.figures ?? {})) keys.add(k);
  const ordered = [...FIGURE_KEYS.filter((k) => keys.has(k)), ...[...keys].filter((k) => !(FIGURE_KEYS as readonly string[]).includes(k))];
  const rows: AgainstRow[] = [];
  for (const key of ordered) {
    const figs = runs.flatMap((r) => (r.figures?.[key] ? [{ side: r.side, f: r.figures[key]! }] : []));
    // A figure whose phase was not selected is not part of the comparison.
    if (figs.every(({ f }) => f.value === null && /its phase was not selected/.test(f.note ?? ''))) continue;
    const side = (s: Side): number | null => median(figs.filter((x) => x.side === s && x.f.value !== null).map((x) => x.f.value!));
    const before = side('before');
    const after = side('after');
    const ref = figs.find((x) => x.side === 'after')?.f ?? figs[0]!.f;
    // A ratio only between two positive values: an overhead over a floor can come out at or below
    // zero (the floor's own noise), and a ratio to it says nothing.
    const ratio = before !== null && after !== null && before > 0 && after > 0 ? Math.round((after / before) * 100) / 100 : null;
    let verdict: AgainstRow['verdict'] = 'unknown';
    let note: string | undefined;
    if (before === null || after === null) {
      const why = (s: Side): string => {
        const run = runs.find((r) => r.side === s && r.error);
        const f = figs.find((x) => x.side === s)?.f;
        return run?.error ?? f?.note ?? 'not measured';
      };
      note = [before === null ? `before: ${why('before')}` : '', after === null ? `after: ${why('after')}` : ''].filter(Boolean).join('; ');
    } else {
      const lowerBetter = ref.goalKind !== 'min';
      const rel = before === 0 ? (after === 0 ? 0 : Math.sign(after) * Infinity) : (after - before) / Math.abs(before);
      const gain = lowerBetter ? -rel : rel;
      verdict = gain > tolerance ? 'better' : gain < -tolerance ? 'worse' : 'same';
      if (ratio === null) note = `no ratio: ${before <= 0 ? `before is ${round(before)}` : `after is ${round(after)}`} ${ref.unit}, at or below zero (below the floor it is measured over: within its noise)`;
    }
    rows.push({ figure: key, unit: ref.unit, goalKind: ref.goalKind, before: before === null ? null : round(before), after: after === null ? null : round(after), ratio, verdict, ...(note ? { note } : {}) });
  }
  return rows;
}

// Builds `rev` in a temporary worktree, runs both benches alternately, writes `options.out` and
// returns the comparison. The worktree and every process started are gone when it settles.
// Rejects with AgainstUsageError for a revision that does not resolve or build.
export async function runAgainst(options: AgainstOptions): Promise<AgainstResult> {
  const { repo, log, signal } = options;
  for (const dir of removeStaleWorktrees(repo)) log(`removed the stale comparison worktree ${dir}`);
  const commit = git(['rev-parse', '--verify', '--quiet', `${options.rev}^{commit}`], repo);
  if (!commit.ok || !commit.out) throw new AgainstUsageError(`bench: --against ${JSON.stringify(options.rev)} is not a commit of ${repo} (git rev-parse found nothing); pass a commit, branch or tag, e.g. --against main`);
  const head = git(['rev-parse', 'HEAD'], repo).out;
  const dirty = git(['status', '--porcelain', '--untracked-files=no'], repo).out !== '';
  if (!fs.existsSync(path.join(repo, 'dist', 'bench', 'run.js'))) throw new AgainstUsageError(`bench: ${repo}/dist/bench/run.js is missing: build this checkout first (npm run build), or use npm run bench -- --against ${options.rev}`);
  // The cleanup is registered (try/finally) before the worktree exists.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${formatIdentity(selfIdentity())}-`));
  const runs: AgainstRun[] = [];
  try {
    const added = git(['worktree', 'add', '--detach', dir, commit.out], repo);
    if (!added.ok) throw new Error(`bench: git worktree add ${dir} ${commit.out} failed: ${added.err}`);
    fs.symlinkSync(fs.realpathSync(path.join(repo, 'node_modules')), path.join(dir, 'node_modules'));
    log(`before: ${options.rev} (${commit.out.slice(0, 12)}) checked out in ${dir}; building it`);
    // Built the way that revision builds: its own `npm run build` (tsc, and later the report's
    // client bundle), or tsc alone where it has no build script.
    const scripts = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
    const how: [string, string[]] = scripts['build'] ? ['npm', ['run', '--silent', 'build']] : [process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']];
    const built = await runChild(how[0], how[1], dir, signal, 'against-build');
    if (built.code !== 0) throw new AgainstUsageError(`bench: revision ${options.rev} (${commit.out.slice(0, 12)}) does not build (\`${scripts['build'] ? 'npm run build' : 'tsc'}\` exit ${built.code}):\n${[...built.stdout, built.stderr].join('\n').trim().slice(-2_000)}`);
    if (!fs.existsSync(path.join(dir, 'dist', 'bench', 'run.js'))) throw new AgainstUsageError(`bench: revision ${options.rev} has no bench/run.ts to run`);
    const roots: Record<Side, string> = { before: dir, after: repo };
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shutdown-drill-against-out-'));
    try {
      for (let pair = 0; pair < options.pairs; pair++) {
        const order: Side[] = pair % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
        for (const side of order) {
          const out = path.join(outDir, `${side}-${pair}.json`);
          const args = [path.join(roots[side], 'dist', 'bench', 'run.js'), '--only', options.phases.join(','), ...options.benchArgs, '--out', out];
          log(`${side} #${pair + 1}: node ${path.relative(process.cwd(), args[0]!) || args[0]} ${args.slice(1, -2).join(' ')}`);
          const t0 = performance.now();
          const r = await runChild(process.execPath, args, roots[side], signal, `against-${side}`, (line) => log(`  [${side} #${pair + 1}] ${line}`));
          const run: AgainstRun = { side, pair: pair + 1, seconds: Math.round((performance.now() - t0) / 100) / 10, code: r.code };
          try {
            run.figures = (JSON.parse(fs.readFileSync(out, 'utf8')) as { figures: AgainstRun['figures'] }).figures;
            if (r.code !== 0) run.error = `the bench exited ${r.code}: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`;
          } catch {
            run.error = `the bench wrote no results (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' / ') || 'no output'}`;
          }
          runs.push(run);
        }
      }
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  } finally {
    await endAll();
    removeWorktree(repo, dir);
  }
  const result: AgainstResult = {
    before: { rev: options.rev, commit: commit.out },
    after: { rev: 'this checkout', commit: head, dirty },
    phases: options.phases, benchArgs: options.benchArgs, tolerance: options.tolerance, worktree: dir,
    runs, rows: compareRuns(runs, options.tolerance),
  };
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

// The before/after table, the notes of figures that could not be compared, and the runs.
export function againstTable(r: AgainstResult): string {
  const v = (x: number | null, unit: string): string => (x === null ? 'n/a' : `${x}${unit === 'ratio' ? '' : ` ${unit}`}`);
  const before = `before (${r.before.rev} ${r.before.commit.slice(0, 8)})`;
  const after = `after (${r.after.commit.slice(0, 8)}${r.after.dirty ? ' + changes' : ''})`;
  const table = grid(['figure', before, after, 'after/before', 'verdict'], r.rows.map((x) => [x.figure, v(x.before, x.unit), v(x.after, x.unit), x.ratio === null ? 'n/a' : `${x.ratio}×`, x.verdict]));
  const notes = r.rows.filter((x) => x.note).map((x) => `- ${x.figure}: ${x.note}`);
  const runs = grid(['run', 'side', 'seconds', 'exit', 'note'], r.runs.map((x, i) => [String(i + 1), `${x.side} #${x.pair}`, String(x.seconds), String(x.code), x.error ?? '']));
  return [table, ...(notes.length ? ['', 'Notes (a figure not compared, or compared without a ratio):', ...notes] : []), '', `Same = within ±${Math.round(r.tolerance * 100)} %; medians over each side's runs, alternated in one run:`, runs].join('\n');
}

// Parses the --against command line (the bench flags pass through to both benches).
export function parseAgainstArgs(argv: string[]): Omit<AgainstOptions, 'log' | 'signal' | 'repo'> & { failWorse: boolean } {
  const rest = [...argv];
  const take = (flag: string): string | undefined => {
    const i = rest.indexOf(flag);
    if (i < 0) return undefined;
    const v = rest[i + 1];
    if (v === undefined || v.startsWith('--')) throw new AgainstUsageError(`bench: ${flag} needs a value`);
    rest.splice(i, 2);
    return v;
  };
  const flag = (name: string): boolean => {
    const i = rest.indexOf(name);
    if (i >= 0) rest.splice(i, 1);
    return i >= 0;
  };
  const int = (name: string, v: string | undefined, fallback: number, min = 1): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new AgainstUsageError(`bench: ${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}; e.g. ${name} 2`);
    return n;
  };
  let rev = take('--against');
  if (rev === undefined && rest[0] && !rest[0].startsWith('--')) rev = rest.shift();
  if (!rev) throw new AgainstUsageError('bench: --against needs a git revision, e.g. npm run bench -- --against main --only exit');
  const only = take('--only');
  const phases = only ? only.split(',').map((p) => p.trim()).filter(Boolean) : [...PHASES];
  const bad = phases.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (bad.length || !phases.length) throw new AgainstUsageError(`bench: --only takes phases from ${PHASES.join(',')}, got ${bad.join(',') || 'nothing'}`);
  const pairs = int('--pairs', take('--pairs'), 2);
  const tolerance = int('--tolerance', take('--tolerance'), 10, 0) / 100;
  const out = path.resolve(take('--out') ?? path.join(repoRoot, 'bench', 'results', 'against.json'));
  const failWorse = flag('--fail-worse');
  const benchArgs: string[] = [];
  if (flag('--quick')) benchArgs.push('--quick');
  for (const f of ['--rounds', '--ws-clients']) {
    const v = take(f);
    if (v !== undefined) benchArgs.push(f, String(int(f, v, 1)));
  }
  if (rest.length) throw new AgainstUsageError(`bench: --against does not take ${rest.join(' ')} (it takes --only, --quick, --rounds, --ws-clients, --pairs, --tolerance, --fail-worse, --out)`);
  return { rev, phases, benchArgs, pairs, tolerance, out, failWorse };
}

// The command line: prints the table; exit 0, 1 (--fail-worse and a figure worse or not
// compared), 2 (usage: a bad flag, a revision that does not resolve or build), 3, 130/143.
export async function againstMain(argv: string[]): Promise<void> {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const interrupt = new AbortController();
  let code = 130;
  const onSignal = (sig: NodeJS.Signals): void => {
    code = sig === 'SIGINT' ? 130 : 143;
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const options = parseAgainstArgs(argv);
    const result = await runAgainst({ ...options, repo: repoRoot, log, signal: interrupt.signal });
    process.stdout.write(`\n${againstTable(result)}\n\nwrote ${path.relative(process.cwd(), options.out)}\n`);
    if (options.failWorse && result.rows.some((r) => r.verdict === 'worse' || r.verdict === 'unknown')) process.exitCode = 1;
  } catch (error) {
    if (error instanceof Interrupted || interrupt.signal.aborted) {
      log('bench: interrupted; the comparison worktree and every process started have been removed');
      process.exitCode = code;
    } else if (error instanceof AgainstUsageError) {
      log(error.message);
      process.exitCode = 2;
    } else {
      log(`bench: internal error: ${error instanceof Error ? error.stack : errorMessage(error)}`);
      process.exitCode = 3;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void againstMain(process.argv.slice(2));
