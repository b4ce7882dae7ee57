import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatIdentity, ownerUid, parseIdentity, provenDead, selfIdentity, selfUid, type HarnessIdentity } from './identity.js';

// Per-run temp dirs ({tmp}) are named `shutdown-drill-<pid>-<start>-<pidns>-XXXXXX` after the
// harness that made them (see identity.ts), so that the dirs of a harness that died without its
// teardown (SIGKILL) can be found and removed, by its reaper or by the next harness's stale sweep,
// and never those of a live harness (another user's, another container's, a reused pid's).
const NAME = /^shutdown-drill-(\d+-\d+-\d+)-[A-Za-z0-9]{6}$/;

// Creates a fresh temp dir for one run of this harness process.
export function makeRunTmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `shutdown-drill-${formatIdentity(selfIdentity())}-`));
}

// True when a run's values (target, services, strike, expect) use the `{tmp}` placeholder: only
// then is a temp dir made. Making and removing one costs 0.2 ms, and up to 4 ms when the disk is
// busy (an rmdir in /tmp waits for the write-back of /tmp's own block), on every run.
export function usesRunTmp(values: unknown): boolean {
  return (JSON.stringify(values) ?? '').includes('{tmp}');
}

// Removes a run's temp dir off the main thread (the rmdir may wait for the disk). Never rejects.
export async function removeRunTmp(dir: string): Promise<void> {
  await fs.promises.rm(dir, { recursive: true, force: true }).catch(() => {});
}

// Removes the run temp dirs of the given harness (or, with `'dead'`, of every harness that is
// provably dead and was of this user; never this process's); returns the dirs removed. Never throws.
export function removeRunTmps(owner: HarnessIdentity | 'dead'): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return removed;
  }
  const me = selfUid();
  for (const name of names) {
    const m = NAME.exec(name);
    const id = m ? parseIdentity(m[1]!) : undefined;
    if (!id) continue;
    const dir = path.join(os.tmpdir(), name);
    const match = owner === 'dead' ? provenDead(id) && ownerUid(dir) === me : formatIdentity(id) === formatIdentity(owner);
    if (!match) continue;
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // busy or gone: the next sweep tries again
    }
  }
  return removed;
}
