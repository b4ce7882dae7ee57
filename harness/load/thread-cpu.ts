import fs from 'node:fs';

// The CPU time the calling thread has run so far, in ms: the first field of Linux's
// /proc/thread-self/schedstat (nanoseconds on a CPU; the running thread's figure is brought up to
// date at each scheduler tick, so a reading can be a few ms behind). Undefined where it cannot be
// read (no /proc, no schedstat).
export function threadCpuMs(): number | undefined {
  try {
    const ns = Number(fs.readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ', 1)[0]);
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

// How busy a load thread was while its load ran: its CPU time over the wall time from the load's
// start to its end (or stop). A thread near 1 was the load's bottleneck: the target was not
// pushed any harder than that thread could drive it.
export interface ThreadBusy { cpuMs: number; wallMs: number }

// Starts measuring the calling thread; the returned function ends it (the first call counts) and
// gives the figures, or undefined where the thread's CPU time cannot be read.
export function measureThread(now: () => number): () => ThreadBusy | undefined {
  const cpu0 = threadCpuMs();
  const t0 = now();
  let result: ThreadBusy | undefined;
  let ended = false;
  return () => {
    if (!ended) {
      ended = true;
      const cpu1 = threadCpuMs();
      if (cpu0 !== undefined && cpu1 !== undefined) result = { cpuMs: Math.round((cpu1 - cpu0) * 10) / 10, wallMs: Math.round((now() - t0) * 10) / 10 };
    }
    return result;
  };
}
