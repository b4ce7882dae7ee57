// Waits until a moment on the run clock with sub-millisecond lateness: a timer sleeps until
// `blockMs` before the deadline; the rest is waited with the thread blocked in Atomics.wait (a
// futex wait with a sub-millisecond timeout) until WAKE_MARGIN_MS before it, and the last stretch
// is spun on the clock. Resolves with the clock reading at wake-up; resolves early (with the
// reading) when `signal` aborts before the blocking part.
//
// Why not a spin over the whole `blockMs` (as before): every clock read in Node 20 allocates
// (process.hrtime.bigint, and performance.now through process.hrtime), so a 5 ms spin made a few
// hundred KB of garbage right before each signal, and the scavenges it started fell on the
// moment itself. A V8 collection waits for work handed to the process's GC helper threads, which
// run at normal priority; under full load they wait for a CPU, and the SCHED_FIFO strike thread
// waited for them: 21-39 of 614 plan steps sent 0.5-7.5 ms late in `node dist/bench/run.js
// --only load` (the step's spin had started on time each time; run with --single-threaded-gc, 0
// of 614). Blocked in a futex the thread allocates nothing, and it leaves the CPU to the target
// until its moment: 0 of 614 steps over 0.5 ms late (at most 0.29 ms).
const WAKE_MARGIN_MS = 0.05;

// Never written: Atomics.wait on it always runs to its timeout.
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function waitUntil(deadline: number, now: () => number, options: { blockMs?: number; signal?: AbortSignal } = {}): Promise<number> {
  const blockMs = options.blockMs ?? 2;
  return new Promise((resolve) => {
    const { signal } = options;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (timer) clearTimeout(timer);
      resolve(now());
    };
    if (signal?.aborted) return resolve(now());
    signal?.addEventListener('abort', onAbort, { once: true });
    const block = (): void => {
      signal?.removeEventListener('abort', onAbort);
      let t = now();
      if (deadline - t > WAKE_MARGIN_MS) {
        Atomics.wait(sleeper, 0, 0, deadline - t - WAKE_MARGIN_MS);
        t = now();
      }
      while (t < deadline) t = now();
      resolve(t);
    };
    const sleep = (): void => {
      const left = deadline - now();
      if (left <= blockMs) return block();
      timer = setTimeout(sleep, Math.max(0, left - blockMs));
    };
    sleep();
  });
}
