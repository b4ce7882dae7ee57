// Without a strike thread (the Worker cannot be made: mocked here to throw, as it would under a
// thread limit), schedulePlan times and sends the plan on the calling thread with the same rules:
// each later step at max(previous intended, previous actual) + afterMs, a step 0 ms after the
// previous one sent in the same burst, and nothing after the abort. Real target processes.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as workerThreads from 'node:worker_threads';
import t from 'tap';
import { Clock } from '../../harness/clock.js';
import type * as Striker from '../../harness/inject/striker.js';
import type { Scheduled } from '../../harness/inject/striker.js';

// Prints each SIGUSR1 / SIGUSR2 it gets, and `ready` once its handlers are set.
const TARGET = `
process.on('SIGUSR1', () => process.stdout.write('usr1\\n'));
process.on('SIGUSR2', () => process.stdout.write('usr2\\n'));
setInterval(() => {}, 1000);
process.stdout.write('ready\\n');
`;

async function startTarget(t: Tap.Test): Promise<{ pid: number; lines: () => string[] }> {
  const child = spawn(process.execPath, ['-e', TARGET], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const exited = once(child, 'exit');
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('ready')) resolve();
  }));
  return { pid: child.pid!, lines: () => out.split('\n').filter((l) => l && l !== 'ready') };
}

let made = 0;
const striker = (t: Tap.Test): Promise<typeof Striker> => t.mockImport<typeof Striker>('../../harness/inject/striker.js', {
  'node:worker_threads': {
    ...workerThreads,
    Worker: class {
      constructor() {
        made++;
        throw new Error('no threads here');
      }
    },
  },
});

// Waits until the target has printed `n` lines (its handlers run after the sends).
async function linesOf(target: { lines: () => string[] }, n: number): Promise<string[]> {
  const until = Date.now() + 5_000;
  while (target.lines().length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  return target.lines();
}

t.test('no strike thread: the plan is timed and sent on this thread, a 0 ms step in the same burst', async (t) => {
  const { schedulePlan } = await striker(t);
  const target = await startTarget(t);
  const clock = new Clock();
  const now = (): number => clock.now();
  const sent: Array<{ step: number; intendedT: number; sent: Scheduled }> = [];
  const start = now() + 40;
  const steps = [
    { signal: 'SIGUSR1' as const, deliver: 'process' as const, afterMs: 0 },
    { signal: 'SIGUSR2' as const, deliver: 'process' as const, afterMs: 60 },
    { signal: 'SIGUSR1' as const, deliver: 'process' as const, afterMs: 0 },
  ];
  // Whether this thread got to any other work (a microtask or a macrotask queued by step 1's
  // onSent) before step 2 was sent: it must not, a 0 ms step goes out in the same turn.
  const otherWork: string[] = [];
  let seenAtStep2: string[] | undefined;
  await schedulePlan({ origin: clock.origin.toString(), now, intendedT: start, steps, from: 0, target: { pid: target.pid, pgid: target.pid, marker: 'plan-fallback' }, abort: new AbortController().signal, onSent: (step, intendedT, s) => {
    sent.push({ step, intendedT, sent: s });
    if (step === 1) {
      queueMicrotask(() => otherWork.push('microtask'));
      setImmediate(() => otherWork.push('immediate'));
    }
    if (step === 2) seenAtStep2 = [...otherWork];
  } });
  t.ok(made > 0, 'the strike thread was asked for and could not be made');
  t.same(sent.map((s) => [s.step, s.sent.pids, s.sent.error]), [[0, [target.pid], undefined], [1, [target.pid], undefined], [2, [target.pid], undefined]], 'every step, in order, to the target');
  const [a, b, c] = sent as [typeof sent[0], typeof sent[0], typeof sent[0]];
  t.equal(a.intendedT, start);
  t.ok(a.sent.t >= start, 'the first step not before its moment');
  t.equal(b.intendedT, Math.max(a.intendedT, a.sent.t) + 60, 'the second 60 ms after the first one\'s actual send');
  t.ok(b.sent.t >= b.intendedT, 'and not before');
  t.equal(c.intendedT, Math.max(b.intendedT, b.sent.t), 'the third in the same burst as the second');
  t.same(seenAtStep2, [], `sent in the same turn as the second, nothing else ran between (${(c.sent.t - b.sent.t).toFixed(3)} ms apart)`);
  t.same((await linesOf(target, 3)).sort(), ['usr1', 'usr1', 'usr2'], 'the target got all three');
});

t.test('no strike thread: nothing is sent after the abort', async (t) => {
  const { schedulePlan } = await striker(t);
  const target = await startTarget(t);
  const clock = new Clock();
  const now = (): number => clock.now();
  const abort = new AbortController();
  const sent: number[] = [];
  const steps = [
    { signal: 'SIGUSR1' as const, deliver: 'process' as const, afterMs: 0 },
    { signal: 'SIGUSR2' as const, deliver: 'process' as const, afterMs: 200 },
  ];
  await schedulePlan({ origin: clock.origin.toString(), now, intendedT: now() + 20, steps, from: 0, target: { pid: target.pid, pgid: target.pid, marker: 'plan-fallback' }, abort: abort.signal, onSent: (step) => {
    sent.push(step);
    if (step === 0) setTimeout(() => abort.abort(), 50);
  } });
  t.same(sent, [0], 'only the step before the abort');
  t.same(await linesOf(target, 1), ['usr1']);
});
