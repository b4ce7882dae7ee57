// A signal plan's later steps are timed and sent by the strike thread (executeStrike → schedulePlan),
// so a main thread that is blocked right after the first step neither delays the second step nor
// lets it reach a target that has already exited. Real target processes; the block is a busy loop
// run by a history listener on the first signal:sent (listeners run inside emit, on the main thread).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import t from 'tap';
import { blockAfterFirstSignal } from '../helpers/block.js';
import { Clock } from '../../harness/clock.js';
import type { HistoryEvent } from '../../harness/history/events.js';
import { History } from '../../harness/history/writer.js';
import { executeStrike } from '../../harness/inject/strike.js';
import { stopStriker, warmStriker } from '../../harness/inject/striker.js';
import { StrikeSchema } from '../../harness/scenario/schema.js';

// Prints `ready` once its handlers are set; SIGUSR2 is noted, SIGTERM exits 0 at once.
const TARGET = `
process.on('SIGUSR2', () => process.stdout.write('usr2\\n'));
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1000);
process.stdout.write('ready\\n');
`;

// `out()` is complete once `closed` resolves: the 'exit' event can come before the last of the
// child's output is read (a fresh-clone CI run saw `ready` alone right after the exit).
async function startTarget(t: Tap.Test): Promise<{ child: ChildProcess; exited: Promise<unknown>; closed: Promise<unknown>; hasExited: () => boolean; out: () => string }> {
  const child = spawn(process.execPath, ['-e', TARGET], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let gone = false;
  const closed = once(child, 'close');
  const exited = once(child, 'exit').then(() => (gone = true));
  t.teardown(async () => {
    if (!gone) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('ready')) resolve();
  }));
  return { child, exited, closed, hasExited: () => gone, out: () => out };
}

// Runs `signal` as a plan against a fresh target, blocking the main thread for `blockMs` right
// after the first signal:sent is recorded; resolves with the plan's signal:sent events.
async function strikeBlocked(t: Tap.Test, signal: unknown, blockMs: number) {
  const target = await startTarget(t);
  const history = new History({ clock: new Clock() });
  const now = (): number => history.clock.now();
  const block = blockAfterFirstSignal(history, blockMs);
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const struck = executeStrike({
    strike: StrikeSchema.parse({ at: { afterReadyMs: 0 }, signal, deliver: 'process', escalate: false }),
    fired: { trigger: 'test', reason: 'test', intendedT: now() + 50 },
    target: { pid: target.child.pid!, pgid: target.child.pid!, marker: 'plan-thread-test' },
    history, hasExited: target.hasExited, exited: target.exited, signal: abort.signal,
  });
  await struck.sent;
  await target.exited;
  await struck.settled;
  const sent = history.events().filter((e): e is Extract<HistoryEvent, { type: 'signal:sent' }> => e.type === 'signal:sent');
  return { sent, blocked: block.blocked(), target };
}

t.before(() => warmStriker());
t.teardown(() => stopStriker());

// The block (1 s) is ten times the step's spacing: a step timed on the main thread would be sent at
// the block's end. How late the strike thread itself is belongs to the machine (npm run bench).
t.test('the second step is sent on time while the main thread is blocked for 1 s', async (t) => {
  const { sent, blocked, target } = await strikeBlocked(t, ['SIGUSR2', { signal: 'SIGTERM', afterMs: 100 }], 1_000);
  t.same(sent.map((e) => [e.step, e.signal]), [[0, 'SIGUSR2'], [1, 'SIGTERM']], 'both steps, in order');
  const [first, second] = sent as [typeof sent[0], typeof sent[0]];
  t.equal(second.intendedT, Math.max(first.intendedT, first.sentT) + 100, 'the second step 100 ms after the first one\'s actual send');
  t.ok(blocked, 'the main thread was blocked after the first step');
  t.ok(second.sentT < blocked!.to, `the second step was sent during the block, ${(second.sentT - second.intendedT).toFixed(3)} ms late (sent ${second.sentT}, block ended ${blocked!.to})`);
  t.equal(target.child.exitCode, 0, 'the target exited by its SIGTERM handler');
  await target.closed;
  t.match(target.out(), /usr2/, 'the target saw the first step');
});

t.test('a step due after the target exited is not sent, even while the main thread is blocked', async (t) => {
  const { sent, blocked, target } = await strikeBlocked(t, ['SIGTERM', { signal: 'SIGUSR2', afterMs: 150 }], 400);
  t.ok(blocked, 'the main thread was blocked after the first step');
  t.same(sent.map((e) => [e.step, e.signal]), [[0, 'SIGTERM']], 'only the first step: the target had exited before the second was due');
  t.equal(target.child.exitCode, 0, 'the target exited by its SIGTERM handler');
});
