import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hasProcfs } from './proc.js';
import { isAlive, readEnvVar } from './proc.js';
import { removeRunTmps } from './run-tmp.js';
import { findMarked, MARKER_ENV } from './tree.js';

let reaper: ChildProcess | undefined;

// Starts the session's reaper (once per harness process): if the harness dies, even by SIGKILL,
// the reaper kills every process carrying the session marker. No-op without /proc.
export function startReaper(sessionPrefix: string): void {
  if (reaper || !hasProcfs) return;
  const script = fileURLToPath(new URL('./reaper-main.js', import.meta.url));
  reaper = spawn(process.execPath, [script, sessionPrefix], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    // The reaper must not carry the marker itself, or it would kill itself first.
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== MARKER_ENV)),
  });
  reaper.on('error', () => {});
  reaper.unref();
  (reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
}

// Stops the reaper at a normal end; resolves once it has exited, so it never outlives the harness.
export function stopReaper(): Promise<void> {
  const r = reaper;
  reaper = undefined;
  if (!r || r.exitCode !== null || r.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // Hold the event loop open until the reaper is gone (it was unref'd while idle).
    r.ref();
    r.once('exit', () => resolve());
    r.stdin?.end('bye\n');
  });
}

// Processes left by an earlier harness that died (its pid no longer alive): killed and returned,
// so a new run starts clean and can say so. The dead harnesses' run temp dirs are removed too.
export function sweepStale(): Array<{ pid: number; marker: string }> {
  if (!hasProcfs) return [];
  const out: Array<{ pid: number; marker: string }> = [];
  for (const p of findMarked('')) {
    // Marker: <harnessPid>:<session>:<run>/
    const marker = readEnvVar(p.pid, MARKER_ENV);
    if (!marker) continue;
    const harnessPid = Number(marker.split(':')[0]);
    if (!Number.isInteger(harnessPid) || harnessPid === process.pid || isAlive(harnessPid)) continue;
    try {
      process.kill(p.pid, 'SIGKILL');
      out.push({ pid: p.pid, marker });
    } catch {
      // gone
    }
  }
  removeRunTmps('dead');
  return out;
}

