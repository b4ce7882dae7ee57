import type { Container } from './container.js';
import { hasProcfs, isAlive, listProcs, readCmdline, readEnvVar, type ProcInfo } from './proc.js';

// The environment variable every process a run starts carries: `<harnessPid>:<session>:<run>`.
// Descendants inherit it, so even a setsid escapee reparented to init can be found.
export const MARKER_ENV = 'SHUTDOWN_DRILL_RUN';

export interface TrackedProcess extends ProcInfo {
  cmd: string;
  firstSeenT: number;
  goneT?: number;
  // Scans left in which to re-read the command line of a process first seen with its parent's
  // (a fork caught before its exec: `sh -c 'node app'` seen as `sh -c ...` until it becomes node).
  execChecks?: number;
}

// How many scans (about 25 ms apart) a fork seen before its exec is re-read for its new command.
const EXEC_CHECKS = 8;

// Which processes belong to a target: its group, and the marker of its run. `minStart` (clock
// ticks since boot) skips reading the environment of processes older than the target: they
// cannot have inherited its marker, and reading every environment is the costly part of a scan.
export interface TreeScope {
  pgid?: number;
  marker?: string;
  minStart?: number;
}

// The processes that belong to one session or run, found by the marker (prefix match).
export function findMarked(prefix: string, procs: ProcInfo[] = listProcs(), minStart = 0): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const p of procs) {
    if (p.pid === process.pid || p.state === 'Z' || p.start < minStart) continue;
    const value = readEnvVar(p.pid, MARKER_ENV);
    if (value !== undefined && (value === prefix || value.startsWith(prefix))) out.push(p);
  }
  return out;
}

// Every live descendant of `rootPid` (by parent links), the members of its process group, and
// every process carrying the marker; the root itself included while alive.
export function collectTree(rootPid: number, options: TreeScope = {}): ProcInfo[] {
  const procs = listProcs().filter((p) => p.state !== 'Z');
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = byParent.get(p.ppid);
    if (list) list.push(p);
    else byParent.set(p.ppid, [p]);
  }
  const found = new Map<number, ProcInfo>();
  const visit = (p: ProcInfo): void => {
    if (found.has(p.pid)) return;
    found.set(p.pid, p);
    for (const child of byParent.get(p.pid) ?? []) visit(child);
  };
  const root = procs.find((p) => p.pid === rootPid);
  if (root) visit(root);
  if (options.pgid) for (const p of procs) if (p.pgid === options.pgid) visit(p);
  if (options.marker) for (const p of findMarked(options.marker, procs, options.minStart)) visit(p);
  found.delete(process.pid);
  return [...found.values()];
}

// Kills the tree with SIGKILL and waits until none of it is alive; resolves with the pids that
// still lived after `deadlineMs` (normally none). Never rejects.
export async function killTree(rootPid: number, options: TreeScope & { deadlineMs?: number } = {}): Promise<{ killed: number[]; survivors: number[] }> {
  const deadline = performance.now() + (options.deadlineMs ?? 2_000);
  const killed = new Set<number>();
  if (!hasProcfs) {
    const { default: treeKill } = await import('tree-kill');
    await new Promise<void>((resolve) => treeKill(rootPid, 'SIGKILL', () => resolve()));
    return { killed: [rootPid], survivors: [] };
  }
  // Group first (one syscall reaches most of it at once), then every member by pid. Then watch
  // only the killed pids until they are gone, and scan once more in full, because a process may
  // have forked meanwhile; repeat until a full scan finds no one.
  if (options.pgid) {
    try {
      process.kill(-options.pgid, 'SIGKILL');
    } catch {
      // no such group
    }
  }
  let alive: ProcInfo[] = [];
  for (;;) {
    alive = collectTree(rootPid, options);
    if (alive.length === 0) break;
    for (const p of alive) {
      try {
        process.kill(p.pid, 'SIGKILL');
        killed.add(p.pid);
      } catch {
        // gone meanwhile
      }
    }
    while (alive.length && performance.now() < deadline) {
      alive = alive.filter((p) => isAlive(p.pid, p.start));
      if (alive.length) await new Promise((r) => setTimeout(r, 1));
    }
    if (performance.now() >= deadline) break;
  }
  return { killed: [...killed], survivors: alive.map((p) => p.pid) };
}

// Follows a running target's process tree by polling /proc, so that processes which escape the
// group (setsid) or get reparented after their parent dies are still known and can be ended.
export class ProcessTracker {
  private readonly known = new Map<number, TrackedProcess>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  // How long the last scan took (ms): callers keep strikes clear of a scan this long.
  lastScanMs = 0;

  constructor(
    private readonly options: {
      leaderPid: number;
      pgid: number;
      marker: string;
      // The leader's start time (clock ticks): see TreeScope.minStart.
      minStart?: number;
      now: () => number;
      onSeen?: (p: TrackedProcess) => void;
      onGone?: (p: TrackedProcess) => void;
      // A process first seen before its exec now runs another command (`cmd` is the new one).
      onExec?: (p: TrackedProcess) => void;
      intervalMs?: number;
      // When true the scan is skipped this tick (a strike is imminent: keep the event loop free).
      quiet?: () => boolean;
      // A kernel container: its member list is the tree (one small read instead of all of /proc).
      container?: Container;
    },
  ) {}

  // Starts polling; the first scan happens at once.
  start(): void {
    if (!hasProcfs) return;
    this.scan();
    const tick = (): void => {
      if (this.stopped) return;
      if (!this.options.quiet?.()) this.scan();
      this.timer = setTimeout(tick, this.options.intervalMs ?? 25);
      this.timer.unref();
    };
    this.timer = setTimeout(tick, this.options.intervalMs ?? 25);
    this.timer.unref();
  }

  // One synchronous pass over /proc: records new members and the ones that are gone.
  scan(options: { marker?: boolean } = {}): void {
    const started = performance.now();
    this.scanOnce(options);
    this.lastScanMs = performance.now() - started;
  }

  private scanOnce(options: { marker?: boolean }): void {
    const container = this.options.container;
    if (container && container.level !== 'marker') {
      const live = new Map<number, ProcInfo>();
      for (const p of container.members()) live.set(p.pid, p);
      for (const p of live.values()) {
        const existing = this.known.get(p.pid);
        if (!existing || existing.goneT !== undefined || existing.start !== p.start) this.add(p);
      }
      this.markGone(live);
      return;
    }
    const procs = listProcs();
    const live = new Map<number, ProcInfo>();
    for (const p of procs) if (p.state !== 'Z') live.set(p.pid, p);
    const isKnownAlive = (pid: number): boolean => {
      const k = this.known.get(pid);
      return k !== undefined && k.goneT === undefined;
    };
    // Grow by parent links and group until stable (children may be listed before parents).
    let grew = true;
    while (grew) {
      grew = false;
      for (const p of live.values()) {
        if (p.pid === process.pid) continue;
        const existing = this.known.get(p.pid);
        if (existing && existing.goneT === undefined && existing.start === p.start) continue;
        if (p.pid === this.options.leaderPid || isKnownAlive(p.ppid) || p.pgid === this.options.pgid) {
          this.add(p);
          grew = true;
        }
      }
    }
    if (options.marker) for (const p of findMarked(this.options.marker, procs, this.options.minStart)) {
      const existing = this.known.get(p.pid);
      if (!existing || existing.goneT !== undefined || existing.start !== p.start) this.add(p);
    }
    this.markGone(live);
  }

  private markGone(live: Map<number, ProcInfo>): void {
    for (const k of this.known.values()) {
      if (k.goneT !== undefined) continue;
      const p = live.get(k.pid);
      if (!p || p.start !== k.start) {
        k.goneT = this.options.now();
        this.options.onGone?.(k);
      } else if (k.execChecks) {
        k.execChecks--;
        const cmd = readCmdline(k.pid);
        if (cmd && cmd !== k.cmd) {
          k.cmd = cmd;
          k.execChecks = 0;
          this.options.onExec?.(k);
        }
      }
    }
  }

  // Live members other than the leader, after a fresh scan that includes the marker search.
  survivors(): TrackedProcess[] {
    if (!hasProcfs) return [];
    this.scan({ marker: true });
    return [...this.known.values()].filter((k) => k.goneT === undefined && k.pid !== this.options.leaderPid);
  }

  // Pids of the members alive at the last scan.
  alivePids(): number[] {
    return [...this.known.values()].filter((k) => k.goneT === undefined).map((k) => k.pid);
  }

  // Every process seen so far.
  all(): TrackedProcess[] {
    return [...this.known.values()];
  }

  // Stops polling.
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private add(p: ProcInfo): void {
    const cmd = readCmdline(p.pid) || p.comm;
    const parent = this.known.get(p.ppid);
    const tracked: TrackedProcess = { ...p, cmd, firstSeenT: this.options.now(), ...(parent && parent.cmd === cmd ? { execChecks: EXEC_CHECKS } : {}) };
    this.known.set(p.pid, tracked);
    this.options.onSeen?.(tracked);
  }
}
