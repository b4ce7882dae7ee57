// The strike thread: waits for each scheduled signal's moment on the run clock (sleep, then spin)
// and sends it, so that whatever keeps the harness's main thread busy (load events, /proc scans,
// history writes) cannot make a strike late.
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { clockFromOrigin } from '../clock.js';
import { countNow, watchCount, type CountReached } from './count-watch.js';
import { waitUntil } from './precise-timer.js';
import { sendSignal } from './signal.js';

import type { StrikeRequest, StrikeResult } from './striker.js';

// Ask the OS to run this thread ahead of the load threads when the CPUs are contended (only this
// thread: Linux applies the priority per thread). Needs privilege; without it nothing changes.
try {
  os.setPriority(0, -15);
} catch {
  // not permitted: run at normal priority
}

const cancelled = new Map<number, AbortController>();

parentPort!.on('message', (msg: StrikeRequest | { cancel: number }) => {
  if ('cancel' in msg) {
    cancelled.get(msg.cancel)?.abort();
    return;
  }
  const abort = new AbortController();
  cancelled.set(msg.id, abort);
  const clock = clockFromOrigin(msg.origin);
  const now = (): number => clock.now();
  // A count watch: the moment is when the count is reached (plus its delay), seen on every ring of
  // the counters' bell; otherwise the request's intended time.
  let reached: CountReached | undefined;
  const watch = msg.watch;
  const moment: Promise<number | undefined> = watch
    ? watchCount(watch, watch.bell, abort.signal).then((r) => (r ? (reached = r).reachedT + watch.delayMs : undefined))
    : Promise.resolve(msg.intendedT);
  // A dedicated thread can afford a longer spin: it absorbs more of the OS's wake-up lateness.
  void moment.then((at) => (at === undefined || at <= now() ? now() : waitUntil(at, now, { signal: abort.signal, spinMs: 5 }))).then(() => {
    cancelled.delete(msg.id);
    let result: StrikeResult;
    if (abort.signal.aborted || (watch && !reached)) {
      result = { id: msg.id, cancelled: true };
    } else {
      const countAtSend = watch ? countNow(watch).count : undefined;
      const known = msg.known;
      const sent = sendSignal({ pid: msg.pid, pgid: msg.pgid, marker: msg.marker, minStart: msg.minStart, known: () => known, ...(msg.procsFile ? { procsFile: msg.procsFile } : {}) }, msg.signal, msg.deliver, now);
      result = { id: msg.id, cancelled: false, sent, ...(reached ? { reached } : {}), ...(countAtSend !== undefined ? { countAtSend } : {}) };
    }
    parentPort!.postMessage(result);
  });
});
