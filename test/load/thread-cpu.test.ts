import t from 'tap';
import { measureThread, threadCpuMs } from '../../harness/load/thread-cpu.js';

// The load thread's CPU time (load:stopped's `thread`): what the bench's loadRatio explains itself
// with. A thread that computes for 300 ms is busy about that long; one that sleeps 300 ms is not.
t.test('measureThread counts the calling thread busy while it computes, not while it sleeps', { skip: threadCpuMs() === undefined ? 'no /proc/thread-self/schedstat here' : false }, async (t) => {
  const busyEnd = measureThread(() => performance.now());
  const until = performance.now() + 300;
  let x = 0;
  while (performance.now() < until) x++;
  const busy = busyEnd()!;
  t.ok(x > 0);
  t.ok(busy.wallMs >= 300, `wall ${busy.wallMs} ms`);
  // The running thread's figure can lag by a scheduler tick (4 ms at 250 Hz); a noisy machine can
  // take CPU from it, never give it more than the wall time.
  t.ok(busy.cpuMs >= 150 && busy.cpuMs <= busy.wallMs + 5, `busy: ${busy.cpuMs} ms of CPU in ${busy.wallMs} ms`);
  t.same(busyEnd(), busy, 'the first end counts');

  const idleEnd = measureThread(() => performance.now());
  await new Promise((r) => setTimeout(r, 300));
  const idle = idleEnd()!;
  t.ok(idle.wallMs >= 290, `wall ${idle.wallMs} ms`);
  t.ok(idle.cpuMs < 50, `asleep: ${idle.cpuMs} ms of CPU in ${idle.wallMs} ms`);
});
