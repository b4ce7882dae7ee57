// The process tracker names a fork caught before its exec by the command it runs afterwards: a
// wrapper's child is first seen with the wrapper's own command line (`sh -c ...`), and reports
// said "its child `sh -c ...`" where the child was `sleep`. Real processes, a pipe as handshake.
import { spawn, type ChildProcess } from 'node:child_process';
import t from 'tap';
import { readProc } from '../../harness/target/proc.js';
import { ProcessTracker, type TrackedProcess } from '../../harness/target/tree.js';

// Kills the child first so that its parent (which waits for it) reaps it, then waits for the
// parent's own exit: nothing is left to the non-reaping PID 1 of this machine.
async function endBoth(parent: ChildProcess, childPid: number): Promise<void> {
  const exited = parent.exitCode !== null || parent.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => parent.once('exit', () => r()));
  try {
    process.kill(childPid, 'SIGKILL');
  } catch { /* gone */ }
  await exited;
}

t.test('a fork seen before its exec is re-read: onExec names the new command', async (t) => {
  // The parent forks; the child waits on stdin (our go) and only then execs `sleep 30`.
  const script = [
    'import os, sys, time',
    'r = sys.stdin.fileno()',
    'pid = os.fork()',
    'if pid == 0:',
    '    os.read(r, 1)',
    "    os.execvp('sleep', ['sleep', '30'])",
    "print(pid, flush=True)",
    'os.waitpid(pid, 0)',
  ].join('\n');
  const parent = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const childPid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
  t.teardown(() => endBoth(parent, childPid));
  const seen: TrackedProcess[] = [];
  const execs: TrackedProcess[] = [];
  const tracker = new ProcessTracker({
    leaderPid: parent.pid!, pgid: parent.pid!, marker: 'none', now: () => performance.now(),
    onSeen: (p) => seen.push({ ...p }), onExec: (p) => execs.push({ ...p }), intervalMs: 10,
  });
  tracker.scan();
  const child = seen.find((p) => p.pid === childPid);
  t.ok(child, 'the child is tracked');
  t.equal(child!.cmd, seen.find((p) => p.pid === parent.pid)!.cmd, 'first seen with its parent\'s command line (before its exec)');
  t.same(execs, [], 'no exec yet');
  parent.stdin!.write('x');
  // Wait for the exec itself (its /proc entry says sleep), then one more scan must report it.
  const deadline = Date.now() + 5000;
  while (readProc(childPid)?.comm !== 'sleep' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  tracker.scan();
  tracker.stop();
  t.same(execs.map((p) => [p.pid, p.cmd]), [[childPid, 'sleep 30']], 'onExec: the child now runs sleep 30');
});

t.test('a process first seen with a command of its own is never re-read', async (t) => {
  const parent = spawn('sh', ['-c', 'sleep 30 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const childPid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
  t.teardown(() => endBoth(parent, childPid));
  const deadline = Date.now() + 5000;
  while (readProc(childPid)?.comm !== 'sleep' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const execs: TrackedProcess[] = [];
  const tracker = new ProcessTracker({ leaderPid: parent.pid!, pgid: parent.pid!, marker: 'none', now: () => performance.now(), onExec: (p) => execs.push(p) });
  tracker.scan();
  t.equal(tracker.all().find((p) => p.pid === childPid)?.cmd, 'sleep 30');
  t.equal(tracker.all().find((p) => p.pid === childPid)?.execChecks, undefined, 'not flagged for re-reading');
  tracker.scan();
  tracker.stop();
  t.same(execs, []);
});
