import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sweepDeadCgroups, type Containment } from './containment.js';
import { ownerUid, parseIdentity, pidNamespaceOf, provenDead, selfIdentity, selfUid } from './identity.js';
import { hasProcfs, readEnvVar } from './proc.js';
import { removeRunTmps } from './run-tmp.js';
import { findMarked, MARKER_ENV } from './tree.js';

let reaper: ChildProcess | undefined;

// Starts the session's reaper (once per harness process): if the harness dies, even by SIGKILL,
// the reaper kills every container of the harness and every process carrying the session marker.
// No-op without /proc.
export function startReaper(sessionPrefix: string, containment: Pick<Containment, 'level' | 'harnessDirs'>): void {
  if (reaper || !hasProcfs) return;
  const script = fileURLToPath(new URL('./reaper-main.js', import.meta.url));
  reaper = spawn(process.execPath, [script, sessionPrefix, containment.level, ...containment.harnessDirs], {
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

// What a harness that died left behind (its reaper died with it, or was SIGKILLed too): the members
// of its cgroup folders, the processes carrying its marker, its run temp dirs. Only a harness proven
// dead is swept (same pid namespace, same user, no live process with its pid and start time: see
// identity.ts), and of the marked processes only those of this user and pid namespace that started
// after it; a live harness's processes and dirs, another user's, and those of an older harness
// whose marker carries no start time are never touched. Returns what it killed.
export async function sweepStale(): Promise<Array<{ pid: number; marker: string }>> {
  if (!hasProcfs) return [];
  const out: Array<{ pid: number; marker: string }> = [];
  for (const pid of await sweepDeadCgroups()) out.push({ pid, marker: '(cgroup)' });
  const me = selfIdentity();
  const uid = selfUid();
  for (const p of findMarked('')) {
    // Marker: <pid>-<start>-<pidns>:<session>:<run>/
    const marker = readEnvVar(p.pid, MARKER_ENV);
    const id = marker ? parseIdentity(marker.split(':')[0] ?? '') : undefined;
    if (!marker || !id || !provenDead(id) || p.start < id.start) continue;
    if (pidNamespaceOf(p.pid) !== me.pidns || ownerUid(`/proc/${p.pid}`) !== uid) continue;
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
