// The strike thread: waits for each scheduled signal's moment on the run clock (sleep, then spin)
// and sends it, so that whatever keeps the harness's main thread busy (load events, /proc scans,
// history writes) cannot make a strike late.
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { clockFromOrigin } from '../clock.js';
import { waitUntil } from './precise-timer.js';
import { acceptViewAfter, earlyAcceptSnapshot, sendSignal } from './signal.js';

// The accept view is read up to this long before a scheduled signal, so that a server dropping its
// backlog at once is still seen holding it (see observe/accept-queue.ts); not at all with less than
// EARLY_MIN_LEAD_MS of lead (the read takes 4-40 ms on a busy 2-CPU machine and must end before the
// signal's spin starts).
const EARLY_SNAPSHOT_MS = 200;
const EARLY_MIN_LEAD_MS = 60;
import type { AcceptResult, StrikeRequest, StrikeResult } from './striker.js';

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
  let early: ReturnType<typeof earlyAcceptSnapshot> | undefined;
  const ahead = msg.snapshotPort !== undefined && msg.intendedT - now() > EARLY_MIN_LEAD_MS
    ? waitUntil(msg.intendedT - EARLY_SNAPSHOT_MS, now, { signal: abort.signal, spinMs: 0 }).then(() => {
      if (!abort.signal.aborted && msg.intendedT - now() > EARLY_MIN_LEAD_MS) early = earlyAcceptSnapshot(msg.pid, msg.snapshotPort!, now);
    })
    : Promise.resolve();
  // A dedicated thread can afford a longer spin: it absorbs more of the OS's wake-up lateness.
  void ahead.then(() => waitUntil(msg.intendedT, now, { signal: abort.signal, spinMs: 5 })).then(async () => {
    cancelled.delete(msg.id);
    let result: StrikeResult;
    if (abort.signal.aborted) {
      result = { id: msg.id, cancelled: true };
    } else {
      const known = msg.known;
      const sent = sendSignal({ pid: msg.pid, pgid: msg.pgid, marker: msg.marker, minStart: msg.minStart, known: () => known, ...(msg.procsFile ? { procsFile: msg.procsFile } : {}) }, msg.signal, msg.deliver, now);
      result = { id: msg.id, cancelled: false, sent };
      // The signal is reported at once; the accept view follows when read (a few ms).
      if (msg.snapshotPort !== undefined) {
        const port = msg.snapshotPort;
        parentPort!.postMessage(result);
        parentPort!.postMessage({ id: msg.id, accept: await acceptViewAfter(sent, msg.pid, port, now, early) } satisfies AcceptResult);
        return;
      }
    }
    parentPort!.postMessage(result);
  });
});
