import { listProcs } from './proc.js';

// Zombies of a PID namespace's init: a process whose parent dies is reparented to the namespace's
// PID 1, which must wait() for it; an app that is PID 1 without an init (tini, dumb-init) does
// not, and its dead children stay zombies until the namespace ends (pid_namespaces(7), "The
// namespace init process"). The watch scans /proc every `everyMs` for children of `pid1` in state
// Z and remembers each one's first and last sighting.
export interface ZombieSighting { pid: number; cmd: string; firstT: number; lastT: number; scans: number }

export class ZombieWatch {
  private readonly seen = new Map<number, ZombieSighting>();
  private timer: NodeJS.Timeout | undefined;
  private scanCount = 0;

  constructor(private readonly options: { pid1: number; now: () => number; everyMs?: number; onSeen?: (z: ZombieSighting) => void }) {}

  // Scans now, then every `everyMs` until stop(); the timer never keeps the process alive.
  start(): void {
    if (this.timer) return;
    this.scan();
    this.timer = setInterval(() => this.scan(), this.options.everyMs ?? 100);
    this.timer.unref();
  }

  // Stops the watch (one last scan first); returns the scan count and every zombie seen.
  stop(): { scans: number; zombies: ZombieSighting[] } {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.scan();
    }
    return { scans: this.scanCount, zombies: [...this.seen.values()] };
  }

  private scan(): void {
    const t = this.options.now();
    this.scanCount++;
    for (const p of listProcs()) {
      if (p.ppid !== this.options.pid1 || p.state !== 'Z') continue;
      const known = this.seen.get(p.pid);
      if (known) {
        known.lastT = t;
        known.scans++;
        continue;
      }
      const z = { pid: p.pid, cmd: p.comm, firstT: t, lastT: t, scans: 1 };
      this.seen.set(p.pid, z);
      this.options.onSeen?.(z);
    }
  }
}
