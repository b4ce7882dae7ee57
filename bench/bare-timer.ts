// The bare precise timer beside a harness run, in the same process at the same time: a worker
// thread at the strike thread's priority (SCHED_FIFO, else nice -15, where permitted) that waits
// for moments on the run clock exactly as the strike thread does (harness/inject/precise-timer.ts,
// 5 ms blocking wait) and records how late it woke. It measures what the OS grants such a thread under the very load of the
// run beside it (the harness's own load worker, the target, a CPU-bound process), so a strike's
// lateness can be set against it in the same window: the "≤ 1.5 × the bare precise timer under
// the same load" of issue 13. (Measured in a separate phase, the bare timer had one load fewer.)
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { workerJob } from './worker-job.js';

const SPACING_MS = 20;
const BLOCK_MS = 5;

export interface BesideTimer {
  // Stops the timer; resolves with every lateness it recorded (ms).
  stop(): Promise<number[]>;
}

// Starts the bare timer thread; resolves once it is running.
export async function besideTimer(): Promise<BesideTimer> {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const worker = new Worker(new URL(`./bare-timer${ext}`, import.meta.url));
  const job = await workerJob<{ lateness: number[] }>(worker, (why) => {
    throw new Error(`bench: the bare timer thread: ${why}`);
  });
  return { stop: async () => (await job.stop()).lateness };
}

async function timerThread(): Promise<void> {
  const { waitUntil } = await import('../harness/inject/precise-timer.js');
  const { raiseThisThread } = await import('../harness/inject/thread-priority.js');
  // The strike thread's own scheduling (SCHED_FIFO where permitted, else nice -15).
  raiseThisThread();
  const lateness: number[] = [];
  let stopped = false;
  parentPort!.on('message', () => (stopped = true));
  parentPort!.postMessage('started');
  const now = (): number => performance.now();
  while (!stopped) {
    const at = now() + SPACING_MS;
    lateness.push((await waitUntil(at, now, { blockMs: BLOCK_MS })) - at);
  }
  parentPort!.postMessage({ lateness });
}

if (!isMainThread) void timerThread();
