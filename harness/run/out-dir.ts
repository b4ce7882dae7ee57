import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HarnessError } from '../errors.js';
import { isAlive, readProc } from '../target/proc.js';

// The marker file in every out dir shutdown-drill created (or adopted): only such a folder may be
// emptied of an old suite's runs/.
export const OUT_MARKER = '.shutdown-drill-out';
// The lock file of the harness that is writing into an out dir right now.
export const OUT_LOCK = '.shutdown-drill-lock';

export interface OutDirCheck {
  outDir: string;
  cwd: string;
  // Scenario files and the paths given on the command line: the out dir may hold none of them.
  scenarioPaths: readonly string[];
}

// Throws HarnessError('OUT_DIR_UNSAFE') naming the folder, why and what to pass instead when the out
// dir is `/`, the home dir, the working dir, an ancestor of the working dir or of a scenario path, or
// a non-empty folder that shutdown-drill did not create. Touches nothing.
export function checkOutDir({ outDir, cwd, scenarioPaths }: OutDirCheck): void {
  const out = real(outDir);
  const unsafe = (why: string): never => {
    throw new HarnessError('OUT_DIR_UNSAFE', `--out ${outDir}: ${why}; shutdown-drill replaces the runs/ folder of its out dir, so it must be a folder of its own: pass a new or empty folder, e.g. --out reports/latest`);
  };
  if (out === path.parse(out).root) unsafe('is the root of the file system');
  const home = safeReal(os.homedir());
  if (home && out === home) unsafe('is your home directory');
  const here = real(cwd);
  if (out === here) unsafe('is the working directory');
  if (isInside(here, out)) unsafe(`is an ancestor of the working directory ${here}`);
  for (const p of scenarioPaths) {
    const s = real(path.resolve(cwd, p));
    if (s === out || isInside(s, out)) unsafe(`holds the scenario path ${p}`);
  }
  let entries: string[];
  try {
    entries = fs.readdirSync(out);
  } catch {
    return; // absent (created at start) or not a folder (the write check names it)
  }
  if (entries.length === 0 || ownedBy(out, entries)) return;
  unsafe(`is a non-empty folder that shutdown-drill did not create (no ${OUT_MARKER} in it; it holds ${entries.slice(0, 3).map((e) => JSON.stringify(e)).join(', ')}${entries.length > 3 ? ', ...' : ''})`);
}

// Marks the out dir as shutdown-drill's (idempotent).
export function markOutDir(outDir: string): void {
  const file = path.join(outDir, OUT_MARKER);
  if (!fs.existsSync(file)) fs.writeFileSync(file, 'This folder is an output folder of shutdown-drill: its runs/ folder is replaced by every run.\n');
}

interface LockHolder {
  pid: number;
  // Clock ticks since boot (/proc/<pid>/stat field 22): with the pid, proof against pid reuse.
  start: number;
  hostname: string;
  token: string;
}

// Takes the out dir's lock for this process; returns its release (idempotent; removes the lock only
// while it is still ours). Throws HarnessError('OUT_DIR_LOCKED') naming the holder's pid when a live
// harness holds it. A lock whose holder is dead (or whose pid now belongs to a process started at
// another time) is replaced.
export function lockOutDir(outDir: string): () => void {
  const file = path.join(outDir, OUT_LOCK);
  const me: LockHolder = { pid: process.pid, start: readProc(process.pid)?.start ?? 0, hostname: os.hostname(), token: crypto.randomBytes(8).toString('hex') };
  const text = JSON.stringify(me) + '\n';
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      fs.writeFileSync(file, text, { flag: 'wx' });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, 'utf8') === text) fs.rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new HarnessError('OUT_DIR_UNWRITABLE', `cannot write the lock ${file}: ${(error as Error).message}; pass a writable --out DIR`, { cause: error });
      }
    }
    const holder = readHolder(file);
    if (holder && holderAlive(holder)) {
      throw new HarnessError('OUT_DIR_LOCKED', `--out ${outDir} is in use by another shutdown-drill (pid ${holder.pid}${holder.hostname !== os.hostname() ? ` on ${holder.hostname}` : ''}; lock ${file}); wait for it to end or pass another --out DIR`);
    }
    // Stale: move it aside (one harness wins the rename), check that what was moved is the dead
    // holder's lock and not a live one taken meanwhile (put that back), then try again.
    const aside = `${file}.stale.${process.pid}.${me.token}`;
    try {
      fs.renameSync(file, aside);
    } catch {
      continue; // another harness moved it first
    }
    const moved = readHolder(aside);
    if (moved && holderAlive(moved)) {
      try {
        fs.linkSync(aside, file);
      } catch {
        // a third harness took the lock meanwhile: the next attempt sees it
      }
    }
    fs.rmSync(aside, { force: true });
  }
  throw new HarnessError('OUT_DIR_LOCKED', `--out ${outDir}: could not take the lock ${file} (other harnesses keep replacing it); pass another --out DIR`);
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof data.pid === 'number' && data.pid > 0) return { pid: data.pid, start: Number(data.start) || 0, hostname: String(data.hostname ?? ''), token: String(data.token ?? '') };
  } catch {
    // unreadable or torn: a harness killed while writing it, which holds nothing
  }
  return undefined;
}

// Alive when the pid runs with the recorded start time (another host's lock is never proven dead).
function holderAlive(holder: LockHolder): boolean {
  if (holder.hostname && holder.hostname !== os.hostname()) return true;
  if (!fs.existsSync('/proc/self/stat')) {
    try {
      process.kill(holder.pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  return isAlive(holder.pid, holder.start || undefined);
}

// Ours: the marker, or a legacy out dir holding a results.json written by shutdown-drill.
function ownedBy(dir: string, entries: string[]): boolean {
  if (entries.includes(OUT_MARKER)) return true;
  if (!entries.includes('results.json')) return false;
  try {
    const data = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as { tool?: { name?: unknown } };
    return data?.tool?.name === 'shutdown-drill';
  } catch {
    return false;
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

// The real path of `p`, resolving symlinks of its nearest existing ancestor (the rest may not exist).
function real(p: string): string {
  const abs = path.resolve(p);
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...tail.reverse());
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return abs;
      tail.push(path.basename(head));
      head = parent;
    }
  }
}

function safeReal(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}
