import type { Delivery, SignalName } from '../history/events.js';
import fs from 'node:fs';
import { acceptSnapshot, acceptSnapshotSync, combineSnapshots, type AcceptSnapshot } from '../observe/accept-queue.js';
import type { ExitWatch } from '../target/exit-watch.js';
import { collectTree } from '../target/tree.js';

export interface DeliveryTarget {
  pid: number;
  pgid: number;
  marker: string;
  // The leader's start time (clock ticks): older processes are not searched for the marker.
  minStart?: number;
  // Members already known to be alive (from the process tracker): signalled at once, before the
  // slower /proc sweep that finds the rest.
  known?: () => number[];
  // The kernel container's member list (`cgroup.procs`), when the run has one: `tree` then
  // reaches exactly its members, whatever their group, session or environment.
  procsFile?: string;
  // The leader's exit, watched by the strike thread after each signal it sends (target/exit-watch.ts).
  exitWatch?: ExitWatch;
}

export interface Sent {
  // Run-clock time just before the first kill() call.
  t: number;
  pids: number[];
  error?: string;
}

// The kernel's accept view of a port around a signal (accept:snapshot without its type).
// `beforeT`: when the read before the signal began (when there was one).
export type AcceptView = AcceptSnapshot & { t: number; port: number; beforeT?: number };

// Sends a signal the way a supervisor would: `process` to the leader only (docker stop, kubectl),
// `group` to its process group (Ctrl+C in a terminal), `tree` to every descendant, escapees
// included (systemd's control group). Never throws: a failure is in `error`.
export function sendSignal(target: DeliveryTarget, signal: SignalName, deliver: Delivery, now: () => number): Sent {
  if (deliver === 'process') {
    const t = now();
    try {
      process.kill(target.pid, signal);
      return { t, pids: [target.pid] };
    } catch (error) {
      return { t, pids: [], error: (error as Error).message };
    }
  }
  if (deliver === 'group') {
    const t = now();
    try {
      process.kill(-target.pgid, signal);
      return { t, pids: [-target.pgid] };
    } catch (error) {
      return { t, pids: [], error: (error as Error).message };
    }
  }
  // tree: the container's members when there is a kernel container; otherwise the known members at
  // once, then a sweep of /proc (parent links, group, marker) for any member not yet reached, so
  // that a setsid escapee gets the signal too.
  const done = new Set<number>();
  const pids: number[] = [];
  let error: string | undefined;
  const hit = (pid: number): void => {
    if (done.has(pid)) return;
    done.add(pid);
    try {
      process.kill(pid, signal);
      pids.push(pid);
    } catch (e) {
      error ??= (e as Error).message;
    }
  };
  const t = now();
  hit(target.pid);
  if (target.procsFile) {
    // A member forked meanwhile is in the file too: read until a pass finds no one new.
    for (let pass = 0; pass < 5; pass++) {
      const before = done.size;
      for (const pid of readMembers(target.procsFile)) hit(pid);
      if (done.size === before) break;
    }
    if (pids.length === 0) return { t, pids, error: error ?? 'no live process in the tree' };
    return { t, pids };
  }
  for (const pid of target.known?.() ?? []) hit(pid);
  for (const p of collectTree(target.pid, { pgid: target.pgid, marker: target.marker, ...(target.minStart ? { minStart: target.minStart } : {}) })) hit(p.pid);
  if (pids.length === 0) return { t, pids, error: error ?? 'no live process in the tree' };
  return { t, pids };
}

function readMembers(file: string): number[] {
  try {
    return fs.readFileSync(file, 'latin1').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

// The accept view of `port` after signal `sent`: read right after it, combined with `before` (a
// read that ended before the signal) when there is one. Never rejects.
export async function acceptViewAfter(sent: Sent, pid: number, port: number, now: () => number, before?: Promise<AcceptSnapshot & { startT: number; doneT: number }>): Promise<AcceptView> {
  const after = await acceptSnapshot(pid, port);
  const t = now();
  const early = before ? await before : undefined;
  const used = early && early.doneT < sent.t && early.error === undefined ? early : undefined;
  const { accepted, queued, error } = combineSnapshots(used, after);
  return { t, port, accepted, queued, ...(used && after.error === undefined ? { beforeT: used.startT } : {}), ...(error !== undefined ? { error } : {}) };
}

// Reads the accept view of `port` now, on this thread (for acceptViewAfter's `before`).
export function earlyAcceptSnapshot(pid: number, port: number, now: () => number): Promise<AcceptSnapshot & { startT: number; doneT: number }> {
  const startT = now();
  const s = acceptSnapshotSync(pid, port);
  return Promise.resolve({ ...s, startT, doneT: now() });
}
