// The reaper: a tiny watchdog process the harness starts once. It holds a pipe from the harness;
// when the pipe closes (the harness exited, crashed or was SIGKILLed) it kills every container of
// the harness (its cgroup folders: one write or a freeze-kill-thaw each, so no member escapes) and
// every process that carries the session's marker (the marker level, and a browser), then removes
// the dead harness's run temp dirs, so that nothing outlives the harness by more than moments.
// Usage: node reaper-main.js <session-marker-prefix> <level> [harness cgroup dir...]
import { killCgroupTree } from './containment.js';
import { parseIdentity } from './identity.js';
import { removeRunTmps } from './run-tmp.js';
import { findMarked } from './tree.js';

const [prefix, level, ...dirs] = process.argv.slice(2);
if (!prefix || !level) process.exit(2);

// Ignore the terminal's signals: a Ctrl+C to the harness's group must not stop the reaper first.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => {});

let reaping = false;
const reap = async (): Promise<void> => {
  if (reaping || bye) return;
  reaping = true;
  if (level === 'cgroup-v2' || level === 'cgroup-v1') await Promise.all(dirs.map((d) => killCgroupTree(level, d)));
  // Several passes: a process may be forking while we kill.
  for (let pass = 0; pass < 5; pass++) {
    const found = findMarked(prefix);
    for (const p of found) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    if (found.length === 0 && pass > 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  // The dead harness's run temp dirs ({tmp}): its teardown never ran.
  const id = parseIdentity(prefix.split(':')[0] ?? '');
  if (id) removeRunTmps(id);
  process.exit(0);
};

// "bye" from the harness: a normal end, everything is already cleaned up; exit at once.
let bye = false;
process.stdin.on('data', (chunk: Buffer) => {
  if (chunk.includes('bye')) {
    bye = true;
    process.exit(0);
  }
});
process.stdin.on('end', () => void reap());
process.stdin.on('close', () => void reap());
process.stdin.on('error', () => void reap());
