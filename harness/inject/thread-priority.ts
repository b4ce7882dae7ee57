import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { parseStat } from '../target/proc.js';

// The scheduling of the thread that times and sends signals (the strike thread; the bench's bare
// timer beside it). Under full load a woken thread at nice -15 still waits for the CPU it is
// woken on: measured on 2 CPUs under the harness's own HTTP load, an `afterResponses` strike was
// 2.7-4.1 ms late at p99 at nice -15 and 0.28-0.37 ms at SCHED_FIFO, and the p95 of plan steps
// 3.4-3.7 ms against 1.3-1.7 ms (bench/README.md, "Strike thread at SCHED_FIFO"). So the thread
// asks for the lowest real-time priority, SCHED_FIFO 1 (above every ordinary thread, below the
// kernel's own), with SCHED_RESET_ON_FORK so that nothing it might start inherits it, through
// util-linux `chrt` (Node has no sched_setscheduler). The kernel's real-time throttling (by
// default 95 % of each second) bounds what it can take. Not asked for:
// - on one CPU, where its spins (the last 0.05 ms before a signal, 2 ms after it watching the
//   exit) would take the very CPU the target needs to answer the signal;
// - when SHUTDOWN_DRILL_REALTIME=0 (a machine whose policy forbids it).
// Otherwise it needs CAP_SYS_NICE (root, or an RLIMIT_RTPRIO above 0); without it, nice -15
// where permitted, else the normal priority.
export type ThreadScheduling = 'SCHED_FIFO 1' | 'nice -15' | 'normal';

// What a thread got, and why it is not SCHED_FIFO when it is not (with what would change that).
export interface Raised { scheduling: ThreadScheduling; why?: string }

// Raises the calling thread (Linux applies scheduling per thread); says what it got.
export function raiseThisThread(): Raised {
  let scheduling: ThreadScheduling = 'normal';
  try {
    os.setPriority(0, -15);
    scheduling = 'nice -15';
  } catch {
    // not permitted
  }
  if (process.platform !== 'linux') return { scheduling, why: 'real-time scheduling is asked for on Linux only' };
  if (os.availableParallelism() < 2) return { scheduling, why: 'one CPU: the strike thread spins for 2 ms after each signal watching for the exit, and at real-time priority that would take the CPU the target needs to answer it' };
  if (process.env['SHUTDOWN_DRILL_REALTIME'] === '0') return { scheduling, why: 'SHUTDOWN_DRILL_REALTIME=0 is set' };
  try {
    // `<pid>/task/<tid>`: this thread's id.
    const tid = fs.readlinkSync('/proc/thread-self').split('/').pop()!;
    const chrt = spawnSync('chrt', ['--fifo', '--reset-on-fork', '--pid', '1', tid], { stdio: 'ignore', timeout: 5_000 });
    if (chrt.error) return { scheduling, why: 'util-linux chrt is not installed (apt-get install util-linux)' };
    if (schedulingPolicy('/proc/thread-self/stat') === SCHED_FIFO) return { scheduling: 'SCHED_FIFO 1' };
  } catch {
    return { scheduling, why: 'no /proc/thread-self to name the thread by' };
  }
  return { scheduling, why: 'not permitted: it needs root, CAP_SYS_NICE (setcap cap_sys_nice+ep on the node binary) or an RLIMIT_RTPRIO of 1 or more' };
}

const SCHED_FIFO = 1;

// The scheduling policy (field 41) of a /proc `stat` file; undefined when unreadable.
export function schedulingPolicy(statFile: string): number | undefined {
  try {
    const policy = parseStat(fs.readFileSync(statFile, 'latin1'))?.policy;
    return Number.isInteger(policy) ? policy : undefined;
  } catch {
    return undefined;
  }
}
