import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import type { History } from '../history/writer.js';

// Watches files matching globs under a directory by polling, recording file:seen events when one
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
    for (const rel of matchFiles(dir, globs)) {
      seen.add(rel);
      let size: number;
      try {
        size = fs.statSync(path.join(dir, rel)).size;
      } catch {
        continue;
      }
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

// Files under `dir` matching any glob, as sorted relative paths.
export function matchFiles(dir: string, globs: string[]): string[] {
  if (globs.length === 0 || !fs.existsSync(dir)) return [];
  return globSync(globs, { cwd: dir, dot: true, onlyFiles: true }).sort();
}

// Path, size and (optionally) sha256 of every file matching the globs.
export function snapshotFiles(dir: string, globs: string[], withHash: boolean): Array<{ path: string; size: number; sha256?: string }> {
  return matchFiles(dir, globs).map((rel) => {
    const full = path.join(dir, rel);
    try {
      const size = fs.statSync(full).size;
      if (!withHash) return { path: rel, size };
      const sha256 = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
      return { path: rel, size, sha256 };
    } catch {
      return { path: rel, size: -1 };
    }
  });
}
