import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from './proc.js';

// Per-run temp dirs ({tmp}) are named `shutdown-drill-<harnessPid>-XXXXXX`, so that the dirs of a
// harness that died without its teardown (SIGKILL) can be found and removed: by its reaper, or by
// the next harness's stale sweep.
const NAME = /^shutdown-drill-(\d+)-[A-Za-z0-9]{6}$/;

// Creates a fresh temp dir for one run of this harness process.
export function makeRunTmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `shutdown-drill-${process.pid}-`));
}

// Removes the run temp dirs of the given harness pid (or, with `'dead'`, of every harness pid that
// is no longer alive, never this process's); returns the dirs removed. Never throws.
export function removeRunTmps(owner: number | 'dead'): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const match = owner === 'dead' ? pid !== process.pid && !isAlive(pid) : pid === owner;
    if (!match) continue;
    const dir = path.join(os.tmpdir(), name);
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // busy or gone: the next sweep tries again
    }
  }
  return removed;
}
