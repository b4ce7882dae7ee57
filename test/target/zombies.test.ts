// The zombie watch of a pid1 target (target/zombies.ts) reads the namespace's own /proc, reached
// through /proc/<pid1>/root/proc. Until PID 1 has mounted its /proc (it does so right after the
// fork, and the watch starts as soon as the fork exists), that path is the host's /proc, whose
// PID 1 (the host's init, ppid 0) passed for the namespace's: the host init's unreaped children
// were then recorded as the target's zombies (a fresh-clone CI run saw a `node` zombie that way
// in test/target/platform.test.ts). Checked: with the pid-namespace comparison removed from
// namespaceProcs, the first test fails.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';
import t from 'tap';
import { findPid1, pid1Argv, pid1Unavailable } from '../../harness/target/pid1.js';
import { namespaceProcs } from '../../harness/target/zombies.js';

// A process tree made from `command args`, whose first stdout line is awaited; it ends when its
// stdin closes.
async function started(t: Tap.Test, command: string, args: string[]): Promise<{ pid: number; line: string }> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin.end();
    const exited = once(child, 'exit');
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(kill);
  });
  const lines = readline.createInterface({ input: child.stdout });
  const [line] = (await once(lines, 'line')) as [string];
  return { pid: child.pid!, line };
}

// A new PID namespace whose PID 1 never mounts a /proc of its own: it prints `ready` and waits
// for its stdin to close (the state every pid1 target is in between its fork and its mount).
const UNMOUNTED = String.raw`
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.unshare(0x20000000) != 0:
    sys.exit('unshare failed')
pid = os.fork()
if pid == 0:
    print('ready', flush=True)
    sys.stdin.read()
    os._exit(0)
os.waitpid(pid, 0)
`;

const unavailable = pid1Unavailable();

t.test("before PID 1 mounts its /proc, the host's /proc is not taken for the namespace's", { skip: unavailable }, async (t) => {
  const parent = await started(t, 'python3', ['-c', UNMOUNTED]);
  t.equal(parent.line, 'ready');
  const pid1 = await findPid1(parent.pid);
  t.ok(pid1, 'the namespace has its PID 1');
  t.equal(namespaceProcs(pid1!), undefined, "its /proc is still the host's: no namespace processes are read from it");
});

t.test("once mounted, the namespace's /proc is read: exactly its own processes", { skip: unavailable }, async (t) => {
  const argv = pid1Argv('sh', ['-c', 'echo ready; read x'], 'none');
  const parent = await started(t, argv.command, argv.args);
  t.equal(parent.line, 'ready');
  const pid1 = await findPid1(parent.pid);
  const procs = namespaceProcs(pid1!);
  t.same(procs?.map((p) => [p.pid, p.ppid, p.comm]), [[1, 0, 'sh']], 'the namespace holds only its PID 1, sh');
});
