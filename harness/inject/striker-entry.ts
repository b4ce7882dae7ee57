// The strike thread: waits for each scheduled signal's moment on the run clock (a sleep, then a
// blocking wait: precise-timer.ts) and sends it, so that whatever keeps the harness's main thread
// busy (load events, /proc scans, history writes) cannot make a strike late.
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { clockFromOrigin } from '../clock.js';
import { countNow, watchCount, type CountReached } from './count-watch.js';
import { waitUntil } from './precise-timer.js';
import type { Delivery, SignalName } from '../history/events.js';
import { exitSeenCheck, watchExit } from '../target/exit-watch.js';
import { exitedForWait, readProc } from '../target/proc.js';
import { sendSignal, type DeliveryTarget, type Sent } from './signal.js';
import { raiseThisThread } from './thread-priority.js';

import type { PlanReport, PlanRequest, SchedulingReport, StrikeRequest, StrikeResult } from './striker.js';

// Ask the OS to run this thread ahead of the load threads when the CPUs are contended (only this
// thread: Linux applies the priority per thread): SCHED_FIFO where permitted, else nice -15
// (thread-priority.ts). Said once, first, to the main thread.
const scheduling: SchedulingReport = { raised: raiseThisThread() };
parentPort!.postMessage(scheduling);

const cancelled = new Map<number, AbortController>();

// Whether /proc shows the leader's state here (Linux): then a plan's step is not sent once the
// leader has exited, even while the main thread is too busy to say so.
const procStates = fs.existsSync('/proc/self/stat');

// The leader has exited: gone, or exited as waitpid() sees it and not yet reaped (the main thread
// reaps it when it runs): the same moment the exit watch stamps (target/proc.ts exitedForWait).
// One read of /proc/<pid>/stat: 20-30 us on a quiet machine, 0.1-0.6 ms measured on a slower
// one (a 2 × AMD EPYC VM, /proc scans 3-4× slower). So a plan's step reads it LOOK_AHEAD_MS
// before its moment, and at the moment looks only at the exit slot (an Atomics read), which the
// exit watch and the main thread's exit event fill: a leader that exits within that last
// stretch unseen by either gets the step, a signal to its zombie or to no one (Linux hands out
// pids in turn up to pid_max before it reuses one, so the pid is not another process's within
// that millisecond).
function exited(pid: number): boolean {
  if (!procStates) return false;
  const info = readProc(pid);
  return !info || exitedForWait(info);
}

const LOOK_AHEAD_MS = 1;

function targetOf(msg: StrikeRequest | PlanRequest): DeliveryTarget {
  const known = msg.known;
  return { pid: msg.pid, pgid: msg.pgid, marker: msg.marker, minStart: msg.minStart, known: () => known, ...(msg.procsFile ? { procsFile: msg.procsFile } : {}) };
}

// Sends a signal to `target` (built ahead, off the moment), then watches the leader's exit
// (target/exit-watch.ts) once the report is posted.
function sendAndWatch(msg: StrikeRequest | PlanRequest, target: DeliveryTarget, signal: SignalName, deliver: Delivery, now: () => number): Sent {
  const sent = sendSignal(target, signal, deliver, now);
  if (msg.exitWatch) {
    const w = msg.exitWatch;
    setImmediate(() => watchExit(w, now));
  }
  return sent;
}

// A whole plan: each step at max(previous intended, previous actual send) + its afterMs, reported
// as it is sent; it stops when cancelled, or at a step due once the leader has exited. A step 0 ms
// after the one just sent belongs to the same burst (systemd's SIGTERM "immediately followed by"
// SIGCONT and SIGHUP): it is sent at once, whatever the first signal did to the leader meanwhile.
async function runPlan(msg: PlanRequest, abort: AbortSignal): Promise<void> {
  const clock = clockFromOrigin(msg.origin);
  const now = (): number => clock.now();
  const target = targetOf(msg);
  const { steps, from } = msg.plan;
  let intendedT = msg.intendedT;
  const exitSeen = msg.exitWatch ? exitSeenCheck(msg.exitWatch.slot) : (): boolean => false;
  for (let i = from; i < steps.length; i++) {
    const step = steps[i]!;
    const burst = i > from && step.afterMs === 0;
    // The leader's /proc state is read before the last LOOK_AHEAD_MS of the wait, not between the
    // wait and the kill(), where it was all lateness; at the moment itself only the exit slot.
    if (intendedT - LOOK_AHEAD_MS > now()) await waitUntil(intendedT - LOOK_AHEAD_MS, now, { signal: abort, blockMs: 5 });
    if (abort.aborted || (!burst && exited(msg.pid))) break;
    if (intendedT > now()) await waitUntil(intendedT, now, { signal: abort, blockMs: 5 });
    if (abort.aborted || (!burst && exitSeen())) break;
    const sent = sendAndWatch(msg, target, step.signal, step.deliver, now);
    const report: PlanReport = { id: msg.id, step: i, intendedT, sent };
    parentPort!.postMessage(report);
    if (i + 1 < steps.length) intendedT = Math.max(intendedT, sent.t) + steps[i + 1]!.afterMs;
  }
}

parentPort!.on('message', (msg: StrikeRequest | PlanRequest | { cancel: number }) => {
  if ('cancel' in msg) {
    cancelled.get(msg.cancel)?.abort();
    return;
  }
  const abort = new AbortController();
  cancelled.set(msg.id, abort);
  if ('plan' in msg) {
    void runPlan(msg, abort.signal).finally(() => {
      cancelled.delete(msg.id);
      const end: PlanReport = { id: msg.id, end: true };
      parentPort!.postMessage(end);
    });
    return;
  }
  const clock = clockFromOrigin(msg.origin);
  const now = (): number => clock.now();
  // A count watch: the moment is when the count is reached (plus its delay), seen on every ring of
  // the counters' bell; otherwise the request's intended time.
  let reached: CountReached | undefined;
  const watch = msg.watch;
  const moment: Promise<number | undefined> = watch
    ? watchCount(watch, watch.bell, abort.signal).then((r) => (r ? (reached = r).reachedT + watch.delayMs : undefined))
    : Promise.resolve(msg.intendedT);
  // A dedicated thread can afford a longer blocking wait (5 ms, against 2 on the main thread): it
  // absorbs more of the OS's wake-up lateness.
  void moment.then((at) => (at === undefined || at <= now() ? now() : waitUntil(at, now, { signal: abort.signal, blockMs: 5 }))).then(() => {
    cancelled.delete(msg.id);
    let result: StrikeResult;
    if (abort.signal.aborted || (watch && !reached)) {
      result = { id: msg.id, cancelled: true };
    } else {
      const countAtSend = watch ? countNow(watch).count : undefined;
      const sent = sendAndWatch(msg, targetOf(msg), msg.signal, msg.deliver, now);
      result = { id: msg.id, cancelled: false, sent, ...(reached ? { reached } : {}), ...(countAtSend !== undefined ? { countAtSend } : {}) };
    }
    parentPort!.postMessage(result);
  });
});
