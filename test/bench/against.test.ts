// `npm run bench -- --against <rev>`: the bench of this checkout beside another revision's, built in
// a temporary git worktree that is gone afterwards (also after an interrupt). Real git, real tsc,
// real benches (the exit phase in --quick: seconds); the figures themselves are not asserted.
import { spawn } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { compareRuns, type AgainstResult, type AgainstRun } from '../../bench/against.js';
import type { Figure } from '../../bench/figures.js';
import { ROOT, tempDir } from '../helpers/cli.js';

const AGAINST = path.join(ROOT, 'dist/bench/against.js');

function worktrees(): string[] {
  const r = spawnSync('git', ['worktree', 'list', '--porcelain'], { cwd: ROOT, encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice('worktree '.length));
}

function start(args: string[]): { pid: number; done: Promise<{ code: number | null; stdout: string; stderr: string }>; onErr: (re: RegExp) => Promise<string> } {
  const child = spawn(process.execPath, [AGAINST, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiting]) w();
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  const onErr = (re: RegExp): Promise<string> => new Promise((resolve, reject) => {
    const look = (): void => {
      const m = re.exec(stderr);
      if (m) {
        waiting.delete(look);
        resolve(m[0]);
      }
    };
    waiting.add(look);
    look();
    void done.then(() => waiting.has(look) && reject(new Error(`exited before ${re}: ${stderr}`)));
  });
  return { pid: child.pid!, done, onErr };
}

t.test('against HEAD: one bench run per side, a before/after row per figure, the worktree removed', async (t) => {
  const dir = tempDir('against-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'against.json');
  const { done } = start(['HEAD', '--only', 'exit', '--quick', '--pairs', '1', '--out', out]);
  const r = await done;
  t.equal(r.code, 0, r.stderr.slice(-2_000));
  const result = JSON.parse(fs.readFileSync(out, 'utf8')) as AgainstResult;
  t.same(result.runs.map((x) => [x.side, x.pair, x.code, x.error]), [['before', 1, 0, undefined], ['after', 1, 0, undefined]], 'two bench runs, one per side');
  t.same(result.rows.map((x) => x.figure), ['exitDetectOverheadP50Ms', 'perRunOverheadP50Ms'], 'the exit phase\'s figures only');
  for (const row of result.rows) {
    t.type(row.before, 'number', `${row.figure} before`);
    t.type(row.after, 'number', `${row.figure} after`);
    // A --quick overhead can come out below the floor (negative): then there is no ratio.
    t.equal(row.ratio, row.before! > 0 && row.after! > 0 ? Math.round((row.after! / row.before!) * 100) / 100 : null, `${row.figure} ratio`);
  }
  t.equal(result.before.commit, spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim());
  t.match(r.stdout, /exitDetectOverheadP50Ms\s+\S+ ms\s+\S+ ms\s+([\d.]+×|n\/a)\s+(better|same|worse)/, 'the table prints both sides and the ratio');
  t.notOk(fs.existsSync(result.worktree), 'the worktree folder is gone');
  t.notOk(worktrees().includes(result.worktree), 'git no longer lists the worktree');
});

t.test('an interrupt during the build removes the worktree and exits 130', async (t) => {
  const before = worktrees();
  const { pid, done, onErr } = start(['HEAD', '--only', 'exit', '--quick', '--pairs', '1', '--out', path.join(tempDir('against-int-'), 'a.json')]);
  const line = await onErr(/checked out in (\S+);/);
  const wt = /checked out in (\S+);/.exec(line)![1]!;
  t.ok(worktrees().includes(wt), 'the worktree exists while it builds');
  process.kill(pid, 'SIGINT');
  const r = await done;
  t.equal(r.code, 130, r.stderr.slice(-1_000));
  t.notOk(fs.existsSync(wt), 'the worktree folder is gone');
  t.same(worktrees(), before, 'git lists the same worktrees as before');
});

t.test('a revision that does not exist is a usage error naming it, before anything is made', async (t) => {
  const before = worktrees();
  const r = await start(['no-such-rev-xyz', '--only', 'exit']).done;
  t.equal(r.code, 2);
  t.match(r.stderr, /--against "no-such-rev-xyz" is not a commit/);
  t.same(worktrees(), before);
  const bad = await start(['HEAD', '--only', 'exit,nope']).done;
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--only takes phases from .* got nope/);
});

t.test('compareRuns: each side\'s median, the goal\'s direction, and missing data never "no worse"', async (t) => {
  const f = (value: number | null, goalKind: Figure['goalKind'], note?: string): Figure => ({ value, unit: 'ms', goal: 1, goalKind, met: null, how: '', ...(note ? { note } : {}) });
  const run = (side: 'before' | 'after', pair: number, figures: Record<string, Figure>): AgainstRun => ({ side, pair, seconds: 1, code: 0, figures });
  const rows = compareRuns([
    run('before', 1, { exitDetectOverheadP50Ms: f(1, 'max'), loadRatio: f(0.5, 'min'), headerMs: f(100, 'max'), treeKillP95Ms: f(2, 'max'), wsClientsHeld: f(null, 'min', 'not available: its phase was not selected (--only exit)') }),
    run('after', 1, { exitDetectOverheadP50Ms: f(0.5, 'max'), loadRatio: f(0.4, 'min'), headerMs: f(105, 'max'), treeKillP95Ms: f(null, 'max', 'not available: the bench phase failed: boom'), wsClientsHeld: f(null, 'min', 'not available: its phase was not selected (--only exit)') }),
    run('after', 2, { exitDetectOverheadP50Ms: f(0.7, 'max'), loadRatio: f(0.4, 'min'), headerMs: f(95, 'max') }),
  ], 0.1);
  t.same(rows.map((r) => [r.figure, r.before, r.after, r.ratio, r.verdict]), [
    ['exitDetectOverheadP50Ms', 1, 0.6, 0.6, 'better'],
    ['loadRatio', 0.5, 0.4, 0.8, 'worse'],
    ['treeKillP95Ms', 2, null, null, 'unknown'],
    ['headerMs', 100, 100, 1, 'same'],
  ]);
  t.match(rows[2]!.note, /after: not available: the bench phase failed: boom/);
  // An overhead below its floor (negative): compared, but with no ratio, and a note that says why.
  const below = compareRuns([run('before', 1, { exitDetectOverheadP50Ms: f(-0.4, 'max') }), run('after', 1, { exitDetectOverheadP50Ms: f(0.3, 'max') })], 0.1);
  t.same(below.map((r) => [r.before, r.after, r.ratio, r.verdict]), [[-0.4, 0.3, null, 'worse']]);
  t.match(below[0]!.note, /^no ratio: before is -0.4 ms, at or below zero/);
});
