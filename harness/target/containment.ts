import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../errors.js';
import { formatIdentity, ownerUid, parseIdentity, provenDead, selfIdentity, selfUid } from './identity.js';
import { hasProcfs, readProc, type ProcInfo } from './proc.js';
import { collectTree, killTree } from './tree.js';
import type { Container, Containment, ContainmentLevel, KillResult } from './container.js';

// The container types (levels, Container, Containment) live in container.ts, so the process
// tree (tree.ts) can name them without importing this file; they are re-exported from here.
export type { Container, Containment, ContainmentLevel, KillResult } from './container.js';

// The shell script a target is started through when kernel containment is used: it writes its own
// pid into every container file given before `--` and only then becomes the target (exec keeps
// the pid), so the target and everything it ever starts are members from their first instruction.
// Exit 125 when a container cannot be joined (nothing of the target has run then).
export const JOIN_SCRIPT = 'for f do [ "$f" = -- ] && break; echo $$ > "$f" || { echo "shutdown-drill: cannot join the container $f" >&2; exit 125; }; done; while [ "$1" != -- ]; do shift; done; shift; exec "$@"';

// The argv that starts `command args` inside `container` (unchanged for `marker`). A shell command
// (`shell: true`) becomes `/bin/sh -c "<command> <args>"`, as execa would run it.
export function joinArgv(container: Container, command: string, args: string[], shell: boolean): { command: string; args: string[]; shell: boolean } {
  if (container.joinFiles.length === 0) return { command, args, shell };
  const inner = shell ? ['/bin/sh', '-c', [command, ...args].join(' ')] : [command, ...args];
  return { command: '/bin/sh', args: ['-c', JOIN_SCRIPT, 'shutdown-drill-join', ...container.joinFiles, '--', ...inner], shell: false };
}

const FOLDER = 'shutdown-drill';

interface Mount {
  point: string;
  fstype: string;
  superOptions: string[];
}

// The cgroup mounts of this process's view, from /proc/self/mountinfo.
function cgroupMounts(): Mount[] {
  let text: string;
  try {
    text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const point = (left.split(' ')[4] ?? '').replace(/\\040/g, ' ');
    const [fstype, , superOpts] = right.split(' ');
    if (fstype === 'cgroup2' || fstype === 'cgroup') out.push({ point, fstype, superOptions: (superOpts ?? '').split(',') });
  }
  return out;
}

function readPids(file: string): number[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const line of text.split('\n')) if (line) out.push(Number(line));
  return out;
}

// How many times a kernel container's member list is read at most for one consistent look.
const MEMBER_READS = 10;

function samePids(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  return x.every((pid, i) => pid === y[i]);
}

// A kernel container's live members, from its member list (`readList`) and a pass over the pids
// (`live`). The list is read again after each pass, until two reads agree: a member that forks and
// exits between the list's read and the pass (a fork-hopper: the list names the parent, gone by
// the pass; the child is not in it) would otherwise make a live container read as empty. A fork
// adds the child to the cgroup while its parent is still a member, so a hop in between changes the
// list. Bounded: after MEMBER_READS changing reads, what any pass saw alive is kept.
export function consistentMembers(readList: () => number[], live: (pids: number[]) => ProcInfo[]): ProcInfo[] {
  let pids = readList();
  let seen: ProcInfo[] = [];
  for (let i = 0; i < MEMBER_READS; i++) {
    const alive = live(pids);
    const again = readList();
    if (samePids(pids, again)) return alive;
    if (alive.length) seen = alive;
    pids = again;
  }
  const alive = live(pids);
  return alive.length ? alive : seen;
}

function liveMembers(pids: number[]): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const pid of pids) {
    if (pid === process.pid) continue;
    const p = readProc(pid);
    if (p && p.state !== 'Z' && p.state !== 'X') out.push(p);
  }
  return out;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120) || '_';
}

function tick(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function rmdirQuiet(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // busy (a member still being torn down) or gone
  }
}

// A kernel container: a cgroup folder in one hierarchy (v2, or v1 freezer).
class CgroupContainer implements Container {
  readonly joinFiles: string[];
  private readonly procsFile: string;

  // `existing`: a folder made earlier (by a harness that died), opened to be killed and removed.
  constructor(readonly level: 'cgroup-v2' | 'cgroup-v1', readonly name: string, private readonly dir: string, existing = false) {
    if (!existing) {
      // The harness folder is made at the start; made again if something removed it since.
      fs.mkdirSync(path.dirname(dir), { recursive: true });
      fs.mkdirSync(dir);
    }
    this.procsFile = path.join(dir, 'cgroup.procs');
    this.joinFiles = [this.procsFile];
  }

  attach(): void {}

  members(): ProcInfo[] {
    return consistentMembers(() => readPids(this.procsFile), liveMembers);
  }

  async kill(deadlineMs = 2_000): Promise<KillResult> {
    const deadline = performance.now() + deadlineMs;
    const killed = new Set<number>();
    if (this.level === 'cgroup-v2') {
      for (const p of this.members()) killed.add(p.pid);
      try {
        fs.writeFileSync(path.join(this.dir, 'cgroup.kill'), '1');
      } catch {
        // gone already
      }
    } else {
      // v1: freeze (no member runs or forks), kill every member, thaw so they can die.
      const state = path.join(this.dir, 'freezer.state');
      try {
        fs.writeFileSync(state, 'FROZEN');
        while (performance.now() < deadline && fs.readFileSync(state, 'latin1').trim() !== 'FROZEN') await tick(1);
      } catch {
        // gone already
      }
      for (const pid of readPids(this.procsFile)) {
        try {
          process.kill(pid, 'SIGKILL');
          killed.add(pid);
        } catch {
          // gone
        }
      }
      try {
        fs.writeFileSync(state, 'THAWED');
      } catch {
        // gone already
      }
    }
    let alive = this.members();
    while (alive.length && performance.now() < deadline) {
      await tick(1);
      alive = this.members();
    }
    return { killed: [...killed], survivors: alive.map((p) => p.pid), verified: alive.length === 0 };
  }

  destroy(): void {
    rmdirQuiet(this.dir);
  }
}

// The weakest level: membership by parent links, group and marker (see tree.ts).
class MarkerContainer implements Container {
  readonly level = 'marker' as const;
  readonly joinFiles: string[] = [];
  private leader: { pid: number; pgid: number; start: number; marker: string } | undefined;

  constructor(readonly name: string) {}

  attach(leader: { pid: number; pgid: number; start: number; marker: string }): void {
    this.leader = leader;
  }

  members(): ProcInfo[] {
    const l = this.leader;
    if (!l || !hasProcfs) return [];
    return collectTree(l.pid, { pgid: l.pgid, marker: l.marker, minStart: l.start });
  }

  async kill(deadlineMs = 2_000): Promise<KillResult> {
    const l = this.leader;
    if (!l) return { killed: [], survivors: [], verified: true };
    const result = await killTree(l.pid, { pgid: l.pgid, marker: l.marker, minStart: l.start, deadlineMs });
    // Without /proc nothing can be verified: tree-kill was asked, that is all.
    return { ...result, verified: hasProcfs && result.survivors.length === 0 };
  }

  destroy(): void {}
}

class CgroupContainment implements Containment {
  readonly downgrade: string[];

  constructor(readonly level: 'cgroup-v2' | 'cgroup-v1', readonly harnessDirs: string[], downgrade: string[]) {
    this.downgrade = downgrade;
  }

  create(name: string): Container {
    return new CgroupContainer(this.level, name, path.join(this.harnessDirs[0]!, safeName(name)));
  }

  async dispose(): Promise<void> {
    for (const dir of this.harnessDirs) await killCgroupTree(this.level, dir);
  }
}

class MarkerContainment implements Containment {
  readonly level = 'marker' as const;
  readonly harnessDirs: string[] = [];

  constructor(readonly downgrade: string[]) {}

  create(name: string): Container {
    return new MarkerContainer(name);
  }

  async dispose(): Promise<void> {}
}

// Kills every container under a harness folder and removes them and the folder. Never throws.
// Returns the pids it killed.
export async function killCgroupTree(level: 'cgroup-v2' | 'cgroup-v1', harnessDir: string): Promise<number[]> {
  let names: string[];
  try {
    names = fs.readdirSync(harnessDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  const killed: number[] = [];
  for (const name of names) {
    const c = new CgroupContainer(level, name, path.join(harnessDir, name), true);
    const r = await c.kill(2_000);
    killed.push(...r.killed);
    c.destroy();
  }
  rmdirQuiet(harnessDir);
  return killed;
}

// The cgroup roots this machine offers for a level: `<mount>/shutdown-drill`.
function rootsFor(level: 'cgroup-v2' | 'cgroup-v1'): string[] {
  const mounts = cgroupMounts();
  const m = level === 'cgroup-v2' ? mounts.find((x) => x.fstype === 'cgroup2') : mounts.find((x) => x.fstype === 'cgroup' && x.superOptions.includes('freezer'));
  return m ? [path.join(m.point, FOLDER)] : [];
}

// Tries a level for real: makes this harness's folder and a probe container, starts `sh` through
// the join script and checks that the kernel lists it as a member. Throws with the reason.
function tryLevel(level: 'cgroup-v2' | 'cgroup-v1'): CgroupContainment {
  const roots = rootsFor(level);
  if (!roots.length) throw new Error(level === 'cgroup-v2' ? 'no cgroup2 file system is mounted' : 'no cgroup v1 freezer hierarchy is mounted');
  const root = roots[0]!;
  const harnessDir = path.join(root, `h${formatIdentity(selfIdentity())}`);
  try {
    fs.mkdirSync(root, { recursive: true });
    fs.mkdirSync(harnessDir, { recursive: true });
  } catch (error) {
    throw new Error(`cannot create ${harnessDir}: ${(error as Error).message} (it needs root, or a delegated cgroup)`);
  }
  const containment = new CgroupContainment(level, [harnessDir], []);
  let probe: Container | undefined;
  try {
    probe = containment.create('probe');
    if (level === 'cgroup-v2' && !fs.existsSync(path.join(harnessDir, 'probe', 'cgroup.kill'))) throw new Error('this kernel has no cgroup.kill (Linux 5.14 or later)');
    const argv = joinArgv(probe, '/bin/sh', ['-c', `cat ${JSON.stringify(probe.joinFiles[0])}; echo $$`], false);
    const r = spawnSync(argv.command, argv.args, { encoding: 'latin1', timeout: 5_000 });
    const lines = String(r.stdout ?? '').trim().split('\n');
    const self = lines.pop();
    if (r.status !== 0 || !self || !lines.includes(self)) throw new Error(`a probe process could not join a cgroup (${String(r.stderr ?? '').trim() || `exit ${r.status}`})`);
  } catch (error) {
    probe?.destroy();
    rmdirQuiet(harnessDir);
    throw error;
  }
  probe.destroy();
  return containment;
}

let chosen: Containment | undefined;

// The best containment this machine allows, tried for real and chosen once per harness process.
// `SHUTDOWN_DRILL_CONTAINMENT` (`auto` | `cgroup-v2` | `cgroup-v1` | `marker`) forces a level;
// a forced level that cannot work is a usage error (exit 2) naming why.
export function chooseContainment(wanted = process.env['SHUTDOWN_DRILL_CONTAINMENT'] ?? 'auto'): Containment {
  if (chosen) return chosen;
  const levels: ContainmentLevel[] = ['cgroup-v2', 'cgroup-v1', 'marker'];
  if (wanted !== 'auto' && !levels.includes(wanted as ContainmentLevel)) {
    throw new HarnessError('USAGE', `SHUTDOWN_DRILL_CONTAINMENT must be one of auto, ${levels.join(', ')}; got "${wanted}"`);
  }
  const downgrade: string[] = [];
  for (const level of wanted === 'auto' ? levels : [wanted as ContainmentLevel]) {
    if (level === 'marker') {
      if (!hasProcfs) downgrade.push('no /proc: descendants are not tracked (tree-kill only)');
      chosen = new MarkerContainment(downgrade);
      return chosen;
    }
    try {
      const c = tryLevel(level);
      chosen = new CgroupContainment(level, c.harnessDirs, downgrade);
      return chosen;
    } catch (error) {
      const why = `${level}: ${(error as Error).message}`;
      if (wanted !== 'auto') throw new HarnessError('USAGE', `SHUTDOWN_DRILL_CONTAINMENT=${level} cannot be used here: ${why}`);
      downgrade.push(why);
    }
  }
  chosen = new MarkerContainment(downgrade);
  return chosen;
}

// The cgroup folders of harnesses that are provably dead (same pid namespace, same user, no
// live process with their pid and start time): every member killed, the folders removed. A live
// harness's folder, one of another user or pid namespace, and an unparseable name are never
// touched. Returns the pids killed.
export async function sweepDeadCgroups(): Promise<number[]> {
  const killed: number[] = [];
  for (const level of ['cgroup-v2', 'cgroup-v1'] as const) {
    for (const root of rootsFor(level)) {
      let names: string[];
      try {
        names = fs.readdirSync(root);
      } catch {
        continue;
      }
      for (const name of names) {
        const id = name.startsWith('h') ? parseIdentity(name.slice(1)) : undefined;
        const dir = path.join(root, name);
        if (!id || !provenDead(id) || ownerUid(dir) !== selfUid()) continue;
        killed.push(...(await killCgroupTree(level, dir)));
      }
    }
  }
  return killed;
}
