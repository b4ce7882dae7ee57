import fs from 'node:fs';
import { readProc } from './proc.js';

// Who a harness is, in a form that survives pid reuse and can be proven dead: its pid, its start
// time (clock ticks since boot, /proc/<pid>/stat field 22), the inode of its pid namespace and its
// user. Written as `<pid>-<start>-<pidns>` into everything it owns (the marker variable, the run
// temp dir names, the cgroup folder names), so that a later harness acts on another's leftovers only
// when that one is provably gone: same boot, same pid namespace, same user, and no live process
// with that pid and that start time.
export interface HarnessIdentity {
  pid: number;
  start: number;
  pidns: number;
}

let self: HarnessIdentity | undefined;

// The inode of a process's pid namespace (0 when unreadable).
export function pidNamespaceOf(pid: number | 'self'): number {
  try {
    const m = /\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${pid}/ns/pid`));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

// This process's identity (computed once).
export function selfIdentity(): HarnessIdentity {
  self ??= { pid: process.pid, start: readProc(process.pid)?.start ?? 0, pidns: pidNamespaceOf('self') };
  return self;
}

// `<pid>-<start>-<pidns>`.
export function formatIdentity(id: HarnessIdentity): string {
  return `${id.pid}-${id.start}-${id.pidns}`;
}

// Parses `<pid>-<start>-<pidns>`; undefined for anything else (e.g. an older harness's bare pid,
// whose death cannot be proven: such leftovers are never touched).
export function parseIdentity(text: string): HarnessIdentity | undefined {
  const m = /^(\d+)-(\d+)-(\d+)$/.exec(text);
  if (!m) return undefined;
  const id = { pid: Number(m[1]), start: Number(m[2]), pidns: Number(m[3]) };
  return id.pid > 0 && id.start > 0 && id.pidns > 0 ? id : undefined;
}

// True only when the harness named by `id` is provably gone: it lived in this pid namespace (so its
// pid means the same here), and no live process has its pid and start time. A harness of another
// pid namespace (a container sharing /proc or /tmp) is never proven dead from here.
export function provenDead(id: HarnessIdentity): boolean {
  const me = selfIdentity();
  if (me.pidns === 0 || id.pidns !== me.pidns) return false;
  if (id.pid === me.pid && id.start === me.start) return false;
  const p = readProc(id.pid);
  return !p || p.start !== id.start || p.state === 'Z' || p.state === 'X';
}

// The uid that owns a file or /proc entry (undefined when unreadable).
export function ownerUid(file: string): number | undefined {
  try {
    return fs.statSync(file).uid;
  } catch {
    return undefined;
  }
}

// This process's uid (0 where the platform has none).
export function selfUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}
