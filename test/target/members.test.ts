// A kernel container's member list read consistently (target/containment.ts consistentMembers):
// the list (cgroup.procs) and the pass over its pids are two looks, and a fork-hopper can move
// between them. Scripted looks make each interleaving exact; the real hopper is
// test/robustness/containment.test.ts.
import t from 'tap';
import { consistentMembers } from '../../harness/target/containment.js';
import type { ProcInfo } from '../../harness/target/proc.js';

function proc(pid: number): ProcInfo {
  return { pid, ppid: 1, pgid: pid, sid: pid, state: 'S', start: pid * 10, comm: 'hopper', flags: 0, threads: 1, policy: 0 };
}

// A member list that answers each read in turn (the last answer repeats), and a pass that finds
// alive only the pids in `alive` at the time of the pass (the n-th pass sees alive[n]).
function script(reads: number[][], alive: number[][]): { readList: () => number[]; live: (pids: number[]) => ProcInfo[]; counts: { reads: number; passes: number } } {
  const counts = { reads: 0, passes: 0 };
  return {
    counts,
    readList: () => [...reads[Math.min(counts.reads++, reads.length - 1)]!],
    live: (pids) => {
      const now = alive[Math.min(counts.passes++, alive.length - 1)]!;
      return pids.filter((p) => now.includes(p)).map(proc);
    },
  };
}

t.test('a hop between the list and the pass: the child is found, not an empty container', async (t) => {
  // The list names 100; by the pass 100 has forked 101 and exited; the list now names 101.
  const s = script([[100], [101]], [[101]]);
  const got = consistentMembers(s.readList, s.live);
  t.same(got.map((p) => p.pid), [101]);
  t.equal(s.counts.reads, 3, 'read until two reads agree: [100], [101], [101]');
});

t.test('a hopper that keeps hopping past every read: what a pass saw alive is kept', async (t) => {
  // Each read names the next pid; each pass finds the one before it alive only on the 3rd pass.
  const reads = Array.from({ length: 20 }, (_, i) => [200 + i]);
  const alive = Array.from({ length: 20 }, (_, i) => (i === 2 ? [202] : []));
  const s = script(reads, alive);
  const got = consistentMembers(s.readList, s.live);
  t.same(got.map((p) => p.pid), [202]);
  t.equal(s.counts.reads, 11, 'bounded: the first read and 10 more');
});

t.test('a stable list: one pass, two reads', async (t) => {
  const s = script([[300, 301]], [[300, 301]]);
  t.same(consistentMembers(s.readList, s.live).map((p) => p.pid), [300, 301]);
  t.same(s.counts, { reads: 2, passes: 1 });
});

t.test('an empty container stays empty; a list of dead pids that does not change is empty', async (t) => {
  const empty = script([[]], [[]]);
  t.same(consistentMembers(empty.readList, empty.live), []);
  const dead = script([[400]], [[]]);
  t.same(consistentMembers(dead.readList, dead.live), [], 'a pid listed but gone (its exit not yet reflected) with no hop');
});

t.test('the same pids in another order are the same list', async (t) => {
  const s = script([[501, 500], [500, 501]], [[500, 501]]);
  t.same(consistentMembers(s.readList, s.live).map((p) => p.pid).sort(), [500, 501]);
  t.same(s.counts, { reads: 2, passes: 1 });
});
