import treeKill from 'tree-kill';
import { chooseContainment, joinArgv, type Container } from '../harness/target/containment.js';
import { findMarked, killTree } from '../harness/target/tree.js';
import { fixture } from './paths.js';
import { endTracked, spawnTracked, waitLine, type Tracked } from './procs.js';

// `container`: the run's kernel container (cgroup), one kill operation plus a verified wait until
// it is empty; `killTree`: the marker tracker's /proc scans (the `marker` level).
export type TreeMethod = 'container' | 'killTree' | 'tree-kill' | 'group-kill';

export interface TreeSample {
  ms: number;
  // Members of the tree still alive 100 ms after the method said it was done.
  survivors: number;
}

const MEMBERS = 5;

// Starts bench/fixtures/tree.sh and waits (handshake on /proc) until all 5 members exist and the
// setsid escapee has left both the group and the parent chain.
async function startTree(container?: Container): Promise<Tracked> {
  const argv = container ? joinArgv(container, 'sh', [fixture('tree.sh')], false) : { command: 'sh', args: [fixture('tree.sh')] };
  const t = await spawnTracked(argv.command, argv.args, { tag: 'tree', stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await waitLine(t, /^ready$/, 5_000);
    const deadline = performance.now() + 5_000;
    for (;;) {
      const members = findMarked(t.marker);
      const pids = new Set(members.map((p) => p.pid));
      const escaped = members.some((p) => p.sid !== t.pid && p.pgid !== t.pid && !pids.has(p.ppid) && p.comm === 'sleep');
      if (members.length === MEMBERS && escaped) return t;
      if (performance.now() > deadline) throw new Error(`bench: the tree never settled at ${MEMBERS} members with an escapee (saw ${members.map((p) => `${p.pid}/${p.comm} ppid ${p.ppid} sid ${p.sid}`).join(', ')})`);
      await new Promise((r) => setTimeout(r, 1));
    }
  } catch (error) {
    await endTracked(t);
    throw error;
  }
}

// Members still alive (not zombies) once the method is done: polled for up to `graceMs`, since a
// SIGKILLed process needs a moment to die.
async function aliveAfter(marker: string, graceMs: number): Promise<number> {
  const deadline = performance.now() + graceMs;
  for (;;) {
    const n = findMarked(marker).length;
    if (n === 0 || performance.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 2));
  }
}

// Ends one fresh tree with `method` and times it from the call until the method is done and the
// leader's exit is seen; then counts survivors and ends them (outside the timing).
let trees = 0;
export async function treeKillOnce(method: TreeMethod): Promise<TreeSample> {
  const container = method === 'container' ? chooseContainment().create(`bench-tree-${++trees}`) : undefined;
  const t = await startTree(container);
  try {
    const leaderGone = t.exited.then(() => undefined);
    const t0 = performance.now();
    if (container) {
      await Promise.all([container.kill(), leaderGone]);
    } else if (method === 'killTree') {
      await Promise.all([killTree(t.pid, { pgid: t.pid, marker: t.marker }), leaderGone]);
    } else if (method === 'tree-kill') {
      await Promise.all([new Promise<void>((resolve) => treeKill(t.pid, 'SIGKILL', () => resolve())), leaderGone]);
    } else {
      process.kill(-t.pid, 'SIGKILL');
      await leaderGone;
    }
    const ms = performance.now() - t0;
    return { ms, survivors: await aliveAfter(t.marker, 100) };
  } finally {
    await endTracked(t);
    container?.destroy();
  }
}
