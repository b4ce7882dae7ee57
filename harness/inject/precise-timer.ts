// Waits until a moment on the run clock with sub-millisecond lateness: a timer sleeps until
// `spinMs` before the deadline, then a busy loop watches the clock. Resolves with the clock
// reading at wake-up; resolves early (with the reading) when `signal` aborts.
export function waitUntil(deadline: number, now: () => number, options: { spinMs?: number; signal?: AbortSignal } = {}): Promise<number> {
  const spinMs = options.spinMs ?? 2;
  return new Promise((resolve) => {
    const { signal } = options;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (timer) clearTimeout(timer);
      resolve(now());
    };
    if (signal?.aborted) return resolve(now());
    signal?.addEventListener('abort', onAbort, { once: true });
    const spin = (): void => {
      signal?.removeEventListener('abort', onAbort);
      let t = now();
      while (t < deadline) t = now();
      resolve(t);
    };
    const sleep = (): void => {
      const left = deadline - now();
      if (left <= spinMs) return spin();
      timer = setTimeout(sleep, Math.max(0, left - spinMs));
    };
    sleep();
  });
}
