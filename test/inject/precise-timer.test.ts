// waitUntil (inject/precise-timer.ts), the timer of every strike: never resolves before its
// moment, and waits the last `blockMs` with the thread blocked (Atomics.wait), not spinning on the
// clock: a spin allocates on every clock read, and the collections it started right at the
// moment made SCHED_FIFO strikes 0.5-7.5 ms late under load (bench/README.md). Measured here as
// this process's CPU time: a spin over the whole block would use about all of it.
// Checked: with the Atomics.wait removed (the spin over the whole block), the CPU test failed
// (the process used 101 ms of CPU over 100 ms of blocking).
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { waitUntil } from '../../harness/inject/precise-timer.js';

const now = (): number => performance.now();

t.test('never resolves before the deadline, and resolves with the clock reading', async (t) => {
  for (let i = 0; i < 50; i++) {
    const deadline = now() + (i % 5) * 0.7;
    const at = await waitUntil(deadline, now, { blockMs: 3 });
    t.ok(at >= deadline, `woke at or after the moment (${(at - deadline).toFixed(4)} ms)`);
    t.ok(now() >= at, 'the reading was taken at wake-up');
  }
});

t.test('the block before the moment is spent blocked, not spinning', async (t) => {
  const rounds = 20;
  const blockMs = 5;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) {
    // The deadline inside the block window: the whole wait is the blocking part.
    await waitUntil(now() + blockMs, now, { blockMs });
  }
  const cpu = process.cpuUsage(cpu0);
  const usedMs = (cpu.user + cpu.system) / 1000;
  const blockedMs = rounds * blockMs;
  t.ok(usedMs < blockedMs / 2, `the process used ${usedMs.toFixed(1)} ms of CPU over ${blockedMs} ms of blocking`);
});

t.test('an abort before the block resolves at once with the reading', async (t) => {
  const abort = new AbortController();
  const deadline = now() + 60_000;
  const p = waitUntil(deadline, now, { blockMs: 5, signal: abort.signal });
  abort.abort();
  const at = await p;
  t.ok(at < deadline, 'resolved long before the deadline');
});
