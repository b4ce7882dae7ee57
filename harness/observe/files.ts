import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { History } from '../history/writer.js';

// What kind of directory entry a path is (lstat: a symlink is itself, never its target).
export type EntryKind = 'file' | 'dir' | 'symlink' | 'socket' | 'fifo' | 'device' | 'other';

// One entry of a snapshot: size is the entry's own (lstat), -1 when it vanished while looked at.
export interface SnapshotEntry { path: string; size: number; kind: EntryKind; sha256?: string }

// Entries visited per look at most (a runaway tree must not stall the run).
const MAX_ENTRIES = 200_000;

// Watches entries matching globs under a directory by polling, recording file:seen events when one
// appears, grows (at most one event per file per `growEveryMs`) or disappears.
export class FileObserver {
  private readonly sizes = new Map<string, { size: number; lastGrewT: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: { dir: string; globs: string[]; history: History; everyMs?: number; growEveryMs?: number }) {}

  // Starts polling (first pass at once).
  start(): void {
    if (this.options.globs.length === 0) return;
    const tick = (): void => {
      this.poll();
      this.timer = setTimeout(tick, this.options.everyMs ?? 20);
      this.timer.unref();
    };
    tick();
  }

  // One pass; also used for the final look after the target's exit.
  poll(): void {
    const { dir, globs, history } = this.options;
    const t = history.clock.now();
    const seen = new Set<string>();
    for (const { path: rel, size } of matchEntries(dir, globs)) {
      seen.add(rel);
      const before = this.sizes.get(rel);
      if (!before) {
        this.sizes.set(rel, { size, lastGrewT: t });
        history.emit({ type: 'file:seen', t, path: rel, size, change: 'created' });
      } else if (size !== before.size && t - before.lastGrewT >= (this.options.growEveryMs ?? 100)) {
        before.size = size;
        before.lastGrewT = t;
        history.emit({ type: 'file:seen', t, path: rel, size, change: 'grew' });
      }
    }
    for (const rel of [...this.sizes.keys()]) {
      if (!seen.has(rel)) {
        this.sizes.delete(rel);
        history.emit({ type: 'file:seen', t, path: rel, size: 0, change: 'removed' });
      }
    }
  }

  // Stops polling.
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

// True when a glob names directories too: its last segment is more than a bare wildcard (`*.part`,
// `cache`, `run/` do; `*`, `**`, `dir/**` do not, so `uploads/**` means what is inside uploads).
function namesDirs(glob: string): boolean {
  if (glob.endsWith('/')) return true;
  const last = glob.split('/').at(-1) ?? '';
  return last !== '*' && last !== '**' && last !== '';
}

function kindOf(st: fs.Stats): EntryKind {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSocket()) return 'socket';
  if (st.isFIFO()) return 'fifo';
  if (st.isBlockDevice() || st.isCharacterDevice()) return 'device';
  return 'other';
}

// Every entry under `dir` matching any glob, of every kind: regular files, Unix sockets, FIFOs,
// symlinks (dangling ones too; never followed), and directories when a glob names them (see
// namesDirs). Sorted relative paths (POSIX separators, no trailing slash). Never throws.
export function matchEntries(dir: string, globs: string[]): Array<{ path: string; size: number; kind: EntryKind }> {
  if (globs.length === 0) return [];
  const fileGlobs = globs.map((g) => g.replace(/\/+$/, ''));
  const isFile = picomatch(fileGlobs, { dot: true });
  const dirGlobs = globs.filter(namesDirs).map((g) => g.replace(/\/+$/, ''));
  const isDir = dirGlobs.length ? picomatch(dirGlobs, { dot: true }) : () => false;
  const out: Array<{ path: string; size: number; kind: EntryKind }> = [];
  const stack: string[] = [''];
  let visited = 0;
  while (stack.length && visited < MAX_ENTRIES) {
    const relDir = stack.pop()!;
    let names: string[];
    try {
      names = fs.readdirSync(path.join(dir, relDir));
    } catch {
      continue;
    }
    for (const name of names) {
      if (++visited > MAX_ENTRIES) break;
      const rel = relDir ? `${relDir}/${name}` : name;
      let st: fs.Stats;
      try {
        st = fs.lstatSync(path.join(dir, rel));
      } catch {
        continue;
      }
      const kind = kindOf(st);
      if (kind === 'dir') {
        if (isDir(rel)) out.push({ path: rel, size: 0, kind });
        stack.push(rel);
      } else if (isFile(rel)) {
        out.push({ path: rel, size: st.size, kind });
      }
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// Relative paths of the entries matching the globs (see matchEntries).
export function matchFiles(dir: string, globs: string[]): string[] {
  return matchEntries(dir, globs).map((e) => e.path);
}

// Path, kind, size and (optionally, for regular files) sha256 of every entry matching the globs;
// `dirMissing` (the directory) when `dir` does not exist or is not a directory: nothing could be
// looked at, which is no evidence of absence.
export function snapshotFiles(dir: string, globs: string[], withHash: boolean): { files: SnapshotEntry[]; dirMissing?: string } {
  let isDir = false;
  try {
    isDir = fs.statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) return { files: [], dirMissing: dir };
  const files = matchEntries(dir, globs).map((e): SnapshotEntry => {
    if (!withHash || (e.kind !== 'file' && e.kind !== 'symlink')) return e;
    const full = path.join(dir, e.path);
    try {
      // A symlink to a regular file is judged by its content (never a FIFO: reading one blocks).
      const st = fs.statSync(full);
      if (!st.isFile()) return e;
      return { ...e, size: st.size, sha256: crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex') };
    } catch {
      return e.kind === 'file' ? { ...e, size: -1 } : e;
    }
  });
  return { files };
}
