import type { ProcInfo } from './proc.js';

// How strongly a run's processes are held, best first:
// - `cgroup-v2`: a cgroup v2 of its own per container; membership is `cgroup.procs`, the kill is
//   one write to `cgroup.kill` (the kernel kills every member, racing forks included).
// - `cgroup-v1`: a v1 `freezer` cgroup per container; the kill freezes it (no member can fork or
//   run), SIGKILLs every member, then thaws it.
// - `marker`: no kernel container; members are found by parent links, process group and the
//   SHUTDOWN_DRILL_RUN variable, which a process can drop (setsid + env -i) to escape.
// A process cannot leave a cgroup on its own: only a privileged process that writes itself into
// another cgroup can (a root target that does so on purpose is out of reach).
export type ContainmentLevel = 'cgroup-v2' | 'cgroup-v1' | 'marker';

// What `kill()` found: the pids it killed, those still alive at its deadline (normally none) and
// whether the container was seen empty afterwards (the only ground for saying "killed").
export interface KillResult {
  killed: number[];
  survivors: number[];
  verified: boolean;
}

// One container: the processes of one run's target (or of a service, an inspect command).
export interface Container {
  readonly level: ContainmentLevel;
  readonly name: string;
  // Where a process is added (one per hierarchy); empty for `marker`.
  readonly joinFiles: string[];
  // Tells a marker container who its leader is (a kernel container needs no help).
  attach(leader: { pid: number; pgid: number; start: number; marker: string }): void;
  // The live members (zombies excluded), read fresh.
  members(): ProcInfo[];
  // Every member killed with SIGKILL, then a wait (bounded by `deadlineMs`) until none is alive.
  kill(deadlineMs?: number): Promise<KillResult>;
  // Removes the container (after its members are gone). Never throws.
  destroy(): void;
}

// The containment a harness uses for all its runs: chosen once at the suite's start.
export interface Containment {
  readonly level: ContainmentLevel;
  // Why a better level was not used (empty at the best level).
  readonly downgrade: string[];
  // A fresh container named `name` (letters, digits, `.`, `_`, `-`; others are replaced).
  create(name: string): Container;
  // Every container of this harness killed and removed (the suite's end). Never throws.
  dispose(): Promise<void>;
  // The folders holding this harness's containers (for its reaper): one per hierarchy.
  readonly harnessDirs: string[];
}
