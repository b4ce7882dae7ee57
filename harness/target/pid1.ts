import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { pidNamespaceOf, selfIdentity } from './identity.js';
import { listProcs } from './proc.js';

// Running a target as PID 1 of a PID namespace of its own, as a container without an init does
// (`docker run` without --init, a Kubernetes container): the kernel then drops every signal from
// outside the namespace whose action is the default (a handler-less app ignores SIGTERM), and
// when PID 1 exits, every other process of the namespace is SIGKILLed. See pid_namespaces(7),
// "The namespace init process".
//
// The parent is a small Python program (ctypes; no compiler needed) rather than util-linux
// `unshare --pid --fork`: unshare 2.38 reports a child killed by a signal as exit 1 (measured
// here: SIGKILL of the namespace's init gave `unshare` status 1, not 137), so the exit status
// would be a lie. This parent unshares the PID and mount namespaces, forks PID 1 (which mounts a
// /proc of its own and execs the target, or the init that runs it), ignores the terminal's
// signals, waits, and exits exactly as PID 1 did (re-raising its signal).

export type InitSpec = 'none' | 'tini' | 'dumb-init' | string;

const PARENT = String.raw`
import ctypes, os, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWPID, CLONE_NEWNS = 0x20000000, 0x00020000
MS_REC, MS_PRIVATE = 0x4000, 1 << 18
if libc.unshare(CLONE_NEWPID | CLONE_NEWNS) != 0:
    sys.stderr.write('shutdown-drill pid1: unshare(CLONE_NEWPID) failed: %s\n' % os.strerror(ctypes.get_errno()))
    os._exit(125)
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
    signal.signal(s, signal.SIG_IGN)
pid = os.fork()
if pid == 0:
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(s, signal.SIG_DFL)
    if libc.mount(b'none', b'/', None, MS_REC | MS_PRIVATE, None) != 0 or libc.mount(b'proc', b'/proc', b'proc', 0, None) != 0:
        sys.stderr.write('shutdown-drill pid1: cannot mount /proc: %s\n' % os.strerror(ctypes.get_errno()))
        os._exit(125)
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    except OSError as e:
        sys.stderr.write('shutdown-drill pid1: cannot start %s: %s\n' % (sys.argv[1], e))
        os._exit(127)
while True:
    try:
        _, st = os.waitpid(pid, 0)
        break
    except InterruptedError:
        continue
if os.WIFSIGNALED(st):
    s = os.WTERMSIG(st)
    if s not in (signal.SIGKILL, signal.SIGSTOP):
        signal.signal(s, signal.SIG_DFL)
    os.kill(os.getpid(), s)
os._exit(os.WEXITSTATUS(st))
`;

// The argv that runs `command args` as PID 1 of a new PID namespace, behind `init` when one is
// named (`tini` and `dumb-init` then are PID 1 and the target their child, as `docker run --init`
// does). A custom init is a command line split on spaces, e.g. `/sbin/my-init --`.
export function pid1Argv(command: string, args: string[], init: InitSpec): { command: string; args: string[] } {
  const initArgv = init === 'none' ? [] : init === 'tini' ? ['tini', '--'] : init === 'dumb-init' ? ['dumb-init'] : init.split(/\s+/).filter(Boolean);
  return { command: PYTHON, args: ['-c', PARENT, ...initArgv, command, ...args] };
}

// The system's Python when there is one (a version manager's shim, such as pyenv's, would add its
// own start-up and processes), else whatever `python3` is on PATH.
const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => fs.existsSync(p)) ?? 'python3';

let available: string | undefined | null = null;

// Why a PID namespace cannot be made here (undefined when it can): tried once for real.
export function pid1Unavailable(): string | undefined {
  if (available !== null) return available;
  if (process.platform !== 'linux') return (available = 'PID namespaces exist only on Linux');
  const argv = pid1Argv('sh', ['-c', 'echo $$'], 'none');
  const r = spawnSync(argv.command, argv.args, { encoding: 'utf8', timeout: 5_000 });
  if (r.error) return (available = `python3 is needed to make the PID namespace (${r.error.message}): install python3`);
  if (r.status !== 0 || r.stdout.trim() !== '1') return (available = `a PID namespace cannot be made here (${(r.stderr || `exit ${r.status}`).trim()}): it needs root (CAP_SYS_ADMIN)`);
  return (available = undefined);
}

// The host pid of the namespace's PID 1: the parent's child that lives in another pid namespace,
// once it exists (polled, at most `timeoutMs`); undefined when there is none by then.
export async function findPid1(parentPid: number, timeoutMs = 2_000): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  const ours = selfIdentity().pidns;
  for (;;) {
    const child = listProcs().find((p) => p.ppid === parentPid && p.state !== 'Z' && pidNamespaceOf(p.pid) !== ours);
    if (child) return child.pid;
    if (performance.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 1));
  }
}
