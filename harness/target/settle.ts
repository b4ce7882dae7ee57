import { round3 as round } from '../clock.js';
import type { Container } from './containment.js';
import { isDying, readCmdline, type ProcInfo } from './proc.js';

// What became of the members left when a leader exited.
export interface Settled {
  // Exited by themselves within the grace: how long each outlived the leader (ms).
  exited: Array<{ pid: number; cmd: string; livedMs: number }>;
  // Dying of a SIGKILL already sent (the strike's or the escalation's): awaited; `goneAfterMs` is
  // null when one was still being torn down at the deadline.
  dying: Array<{ pid: number; cmd: string; goneAfterMs: number | null }>;
  // Still alive, by their own doing: the orphans (nothing has been done to them).
  orphans: Array<{ pid: number; ppid: number; pgid: number; sid: number; cmd: string; livedMs: number }>;
}

const DYING_WAIT_MS = 2_000;

// Watches a container after its leader's exit, without touching any member: members that end by
// themselves until `leaderExitT + graceMs` (run clock) are `exited`; members already dying of a
// SIGKILL are awaited (bounded) and are `dying`; the rest are `orphans`. Resolves as soon as the
// container is empty. `atGraceEnd`, when given, is called once when the grace ends with members
// left (the escalation of a unit that waits for its whole tree) and returns the pids it signalled:
// those are dying, not orphans. Never rejects.
export async function settleTree(options: { container: Container; leaderPid: number; leaderExitT: number; graceMs: number; now: () => number; atGraceEnd?: () => number[] }): Promise<Settled> {
  const { container, leaderPid, leaderExitT, graceMs, now } = options;
  const seen = new Map<number, string>();
  const out: Settled = { exited: [], dying: [], orphans: [] };
  // `withinGrace`: a member gone since the last scan exited by itself within the grace.
  const scan = (withinGrace: boolean): Map<number, ProcInfo> => {
    const live = new Map<number, ProcInfo>();
    for (const p of container.members()) if (p.pid !== leaderPid) live.set(p.pid, p);
    for (const [pid, p] of live) if (!seen.has(pid)) seen.set(pid, readCmdline(pid) || p.comm);
    for (const [pid, cmd] of seen) {
      if (!withinGrace || live.has(pid) || out.exited.some((e) => e.pid === pid)) continue;
      out.exited.push({ pid, cmd, livedMs: round(now() - leaderExitT) });
    }
    return live;
  };
  let live = scan(true);
  while (live.size && now() < leaderExitT + graceMs) {
    await tick(Math.min(5, Math.max(1, leaderExitT + graceMs - now())));
    live = scan(now() <= leaderExitT + graceMs);
  }
  // Killed at the grace's end: dying, whether or not the next scan still finds them.
  const dying = new Map<number, string>();
  if (live.size && options.atGraceEnd) {
    for (const pid of options.atGraceEnd()) dying.set(pid, seen.get(pid) ?? String(pid));
    live = scan(false);
  }
  // Past the grace: members already exiting are awaited (bounded); the first scan that finds a
  // member that is not exiting names the orphans. Scanning again after each wait matters: a
  // process that forks and exits (a hopper) is always exiting, while its newest child is not.
  const deadline = performance.now() + DYING_WAIT_MS;
  for (;;) {
    const rest = [...live.values()].filter((p) => {
      if (!isDying(p.pid)) return true;
      dying.set(p.pid, seen.get(p.pid) ?? p.comm);
      return false;
    });
    if (rest.length) {
      for (const p of rest) out.orphans.push({ pid: p.pid, ppid: p.ppid, pgid: p.pgid, sid: p.sid, cmd: seen.get(p.pid) ?? p.comm, livedMs: round(now() - leaderExitT) });
      break;
    }
    if (!live.size || performance.now() >= deadline) break;
    await tick(2);
    live = scan(false);
  }
  // One more read of the members only when there is a dying member to account for.
  const stillThere = new Set(dying.size ? container.members().map((p) => p.pid) : []);
  const goneAt = round(now() - leaderExitT);
  for (const [pid, cmd] of dying) out.dying.push({ pid, cmd, goneAfterMs: stillThere.has(pid) ? null : goneAt });
  // What exited meanwhile is not an orphan.
  return out;
}

function tick(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
