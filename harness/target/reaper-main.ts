// The reaper: a tiny watchdog process the harness starts once. It holds a pipe from the harness;
// when the pipe closes (the harness exited, crashed or was SIGKILLed) it kills every process that
// carries the session's marker, so no target outlives the harness by more than a few hundred ms.
// Usage: node reaper-main.js <session-marker-prefix>
import { removeRunTmps } from './run-tmp.js';
import { findMarked } from './tree.js';

const prefix = process.argv[2];
if (!prefix) process.exit(2);

// Ignore the terminal's signals: a Ctrl+C to the harness's group must not stop the reaper first.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => {});

let reaping = false;
const reap = async (): Promise<void> => {
  if (reaping || bye) return;
  reaping = true;
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
  removeRunTmps(Number(prefix.split(':')[0]));
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
