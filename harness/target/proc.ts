import fs from 'node:fs';

// One process as /proc shows it.
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  state: string;
  // Start time in clock ticks since boot: with pid, it identifies a process despite pid reuse.
  start: number;
  comm: string;
  // The kernel's per-process flags (stat field 9): PF_EXITING (0x4) is set once it is dying.
  flags: number;
  // The threads of its thread group not yet released (stat field 20). A zombie leader with more
  // than 1 has threads still exiting: its files (listening sockets too) are not all closed, and
  // waitpid() does not return it yet.
  threads: number;
  // The scheduling policy (stat field 41): 0 SCHED_OTHER, 1 SCHED_FIFO, ...
  policy: number;
}

// True where /proc is available (Linux); elsewhere the harness falls back to tree-kill.
export const hasProcfs: boolean = (() => {
  try {
    return fs.statSync('/proc/self/stat').isFile();
  } catch {
    return false;
  }
})();

// Reads /proc/<pid>/stat; undefined when the process is gone.
export function readProc(pid: number): ProcInfo | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  return parseStat(text);
}

// True when `info` (a leader's stat) shows its process exited as waitpid() sees it: dead, or a
// zombie with no other thread of it left. A zombie leader whose other threads are still exiting is
// not there yet: its files close with the last thread (a listener still accepts connections), 2-3
// ms later for a Node target here.
export function exitedForWait(info: Pick<ProcInfo, 'state' | 'threads'>): boolean {
  return info.state === 'X' || (info.state === 'Z' && info.threads <= 1);
}

// Parses one /proc/<pid>/stat line (the command name may hold spaces and parentheses).
export function parseStat(text: string): ProcInfo | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < 0) return undefined;
  const rest = text.slice(close + 2).split(' ');
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: Number(rest[1]),
    pgid: Number(rest[2]),
    sid: Number(rest[3]),
    start: Number(rest[19]),
    flags: Number(rest[6]),
    threads: Number(rest[17]),
    policy: Number(rest[38]),
  };
}

// Every live process on the machine (zombies included, marked by state 'Z').
export function listProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const info = readProc(Number(name));
    if (info) out.push(info);
  }
  return out;
}

// True when the process exists and is not a zombie.
export function isAlive(pid: number, start?: number): boolean {
  const info = readProc(pid);
  if (!info || info.state === 'Z' || info.state === 'X') return false;
  return start === undefined || info.start === start;
}

// The value of one environment variable of a process, when readable.
export function readEnvVar(pid: number, name: string): string | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(`/proc/${pid}/environ`);
  } catch {
    return undefined;
  }
  const prefix = Buffer.from(`${name}=`);
  let from = 0;
  while (from < buf.length) {
    let end = buf.indexOf(0, from);
    if (end < 0) end = buf.length;
    if (end - from >= prefix.length && buf.compare(prefix, 0, prefix.length, from, from + prefix.length) === 0) {
      return buf.toString('utf8', from + prefix.length, end);
    }
    from = end + 1;
  }
  return undefined;
}

// The command line of a process, space-joined (empty when unreadable).
export function readCmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

const PF_EXITING = 0x4;
const SIGKILL_BIT = 1n << 8n;

// True when a process is already dying: the kernel is tearing it down (PF_EXITING), or a SIGKILL is
// pending for it or its thread group. Such a process ends without anyone's help, however long
// the teardown of a large address space takes.
export function isDying(pid: number): boolean {
  const p = readProc(pid);
  if (!p || p.state === 'Z' || p.state === 'X') return true;
  if (p.flags & PF_EXITING) return true;
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return true;
  }
  for (const key of ['SigPnd:', 'ShdPnd:']) {
    const at = status.indexOf(key);
    if (at < 0) continue;
    const hex = status.slice(at + key.length, status.indexOf('\n', at)).trim();
    if (/^[0-9a-f]+$/i.test(hex) && (BigInt(`0x${hex}`) & SIGKILL_BIT) !== 0n) return true;
  }
  return false;
}
