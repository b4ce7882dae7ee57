// The target's exit is stamped when the first of two threads saw it (target/exit-watch.ts): Node's
// 'exit' event on the main thread, or the strike thread reading the leader's /proc state right
// after its signal. So a main thread that is busy when the target exits does not make the exit
// late: the strike thread saw the zombie, and the exit keeps that time. Real target processes,
// launched by launch() as a run launches them; the main thread is blocked by a busy loop in a
// history listener on the signal:sent (listeners run inside emit, on the main thread).
// Guards: the watchExit call in inject/striker-entry.ts sendAndWatch and exitTime in
// target/launch.ts. Checked: with the watchExit call removed, the first test's exit came at the
// block's end and it failed.
import t from 'tap';
import { blockAfterFirstSignal } from '../helpers/block.js';
import { Clock } from '../../harness/clock.js';
import { History } from '../../harness/history/writer.js';
import { executeStrike } from '../../harness/inject/strike.js';
import { stopStriker, warmStriker } from '../../harness/inject/striker.js';
import { StrikeSchema } from '../../harness/scenario/schema.js';
import type { Container } from '../../harness/target/container.js';
import { launch, type Launched } from '../../harness/target/launch.js';

// No kernel container: the test's own target, killed in its teardown.
const container: Container = {
  level: 'marker', name: 'exit-stamp', joinFiles: [], attach: () => {}, members: () => [],
  kill: async () => ({ killed: [], survivors: [], verified: true }), destroy: () => {},
};

// Prints `ready`; on SIGTERM exits 0 after `exitAfterMs`.
const target = (exitAfterMs: number): string => `
process.on('SIGTERM', () => ${exitAfterMs ? `setTimeout(() => process.exit(0), ${exitAfterMs})` : 'process.exit(0)'});
setInterval(() => {}, 1000);
process.stdout.write('ready\\n');
`;

async function strikeWhileBlocked(t: Tap.Test, exitAfterMs: number, blockMs: number): Promise<{ launched: Launched; sentT: number; blocked: { from: number; to: number } | undefined; exitT: number; slot: bigint }> {
  const history = new History({ clock: new Clock() });
  const now = (): number => history.clock.now();
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const launched = await launch({
    command: process.execPath, args: ['-e', target(exitAfterMs)], cwd: process.cwd(), env: {}, shell: false, marker: `exit-stamp-${process.pid}`,
    container, now, outputLines: 10, onLine: (_s, line) => line.line === 'ready' && ready(),
  });
  t.teardown(async () => {
    if (!launched.exit) process.kill(launched.pid, 'SIGKILL');
    await launched.exited;
  });
  await isReady;
  const block = blockAfterFirstSignal(history, blockMs);
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const struck = executeStrike({
    strike: StrikeSchema.parse({ at: { afterReadyMs: 0 }, signal: 'SIGTERM', deliver: 'process', escalate: false }),
    fired: { trigger: 'test', reason: 'test', intendedT: now() + 50 },
    target: { pid: launched.pid, pgid: launched.pgid, marker: 'exit-stamp', minStart: launched.start, exitWatch: { pid: launched.pid, start: launched.start, slot: launched.exitSlot } },
    history, hasExited: () => launched.exit !== undefined, exited: launched.exited, signal: abort.signal,
  });
  await struck.sent;
  const exit = await launched.exited;
  await struck.settled;
  const sent = history.events().find((e) => e.type === 'signal:sent');
  history.close();
  return { launched, sentT: sent?.type === 'signal:sent' ? sent.sentT : NaN, blocked: block.blocked(), exitT: exit.t, slot: new BigInt64Array(launched.exitSlot)[0]! };
}

t.before(() => warmStriker());
t.teardown(() => stopStriker());

t.test('an exit while the main thread is blocked keeps the time the strike thread saw it', async (t) => {
  // The block (1.5 s) outlasts the strike thread's exit watch (1 s): a target that exits within
  // the watch is seen by the strike thread while the main thread is still blocked. How soon the
  // target exits is the machine's (141 ms once under CI load), so it is not asserted.
  const { sentT, blocked, exitT, slot } = await strikeWhileBlocked(t, 0, 1_500);
  t.ok(blocked, 'the main thread was blocked right after the signal');
  t.ok(slot > 0n, `the strike thread saw the zombie first (slot ${slot})`);
  t.ok(exitT >= sentT, `the exit (${exitT}) is after the signal (${sentT})`);
  t.ok(exitT < blocked!.to, `stamped ${(exitT - sentT).toFixed(3)} ms after the signal, before the main thread could run (its block ended at ${(blocked!.to - sentT).toFixed(3)} ms)`);
});

t.test('an exit after the watch is over (1 s) is stamped by the main thread alone', async (t) => {
  const { sentT, exitT, slot } = await strikeWhileBlocked(t, 1_300, 0);
  t.equal(slot, -1n, 'the main thread saw the exit first');
  t.ok(exitT - sentT >= 1_300, `the exit came after the target's own 1.3 s (${(exitT - sentT).toFixed(1)} ms)`);
});
