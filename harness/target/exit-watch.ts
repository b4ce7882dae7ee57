// The target's exit, seen from two threads: Node's 'exit' event on the main thread (target/launch.ts),
// and, right after each signal, the strike thread reading the leader's /proc state until it is a
// zombie with no other thread left (proc.ts exitedForWait: the moment waitpid() would return, what
// the C floor of `npm run bench` times). The exit is stamped at the earlier of the two. The main
// thread's event comes after the SIGCHLD has woken its loop and whatever it was doing meanwhile (the
// strike thread's own report of the signal, load events, history writes) has run; the strike
// thread is idle right after a send, so under load it sees the exit sooner, and on a quiet machine
// it takes away the main loop's wake-up.
// The two threads share one 8-byte slot per target: 0 while nobody saw the exit; the strike
// thread's run-clock time in microseconds (> 0) when it saw the zombie first; -1 once the main
// thread saw the exit first (the strike thread then stops looking).
import { exitedForWait, readProc } from './proc.js';

// How the strike thread looks after a signal: continuously (one /proc read per turn of its loop,
// ~10-30 us each) for TIGHT_MS, then every POLL_MS until WATCH_MS after the signal; after that only
// the main thread's event stamps the exit (a slow drain is not watched for its whole length).
const TIGHT_MS = 2;
const POLL_MS = 1;
const WATCH_MS = 1_000;

const MAIN_SAW = -1n;

// A fresh slot for one target.
export function newExitSlot(): SharedArrayBuffer {
  return new SharedArrayBuffer(8);
}

// The main thread saw the exit at `t`: returns the exit's time, the strike thread's when it saw
// the zombie earlier, else `t` (and tells the strike thread to stop looking).
export function exitTime(slot: SharedArrayBuffer, t: number): number {
  const view = new BigInt64Array(slot);
  const seen = Atomics.compareExchange(view, 0, 0n, MAIN_SAW);
  if (seen > 0n) {
    const strikeT = Number(seen) / 1000;
    if (strikeT < t) return strikeT;
  }
  return t;
}

// A check of whether either thread has seen the exit (the slot is no longer 0), its view made
// once: it runs at a strike's moment.
export function exitSeenCheck(slot: SharedArrayBuffer): () => boolean {
  const view = new BigInt64Array(slot);
  return () => Atomics.load(view, 0) !== 0n;
}

// What the strike thread needs to watch a target's leader: its pid (the harness's own child), its
// start time (so a reused pid is never taken for it) and the shared slot.
export interface ExitWatch {
  pid: number;
  start: number;
  slot: SharedArrayBuffer;
}

const watching = new WeakSet<SharedArrayBuffer>();

// On the strike thread, right after a signal: looks for the leader's zombie state as described
// above and writes the time it saw it into the slot. Never blocks the thread (each look is one
// turn of its event loop, so the other strikes it times go on); one watch per slot at a time.
export function watchExit(w: ExitWatch, now: () => number): void {
  if (watching.has(w.slot)) return;
  const view = new BigInt64Array(w.slot);
  if (Atomics.load(view, 0) !== 0n) return;
  watching.add(w.slot);
  const from = now();
  const look = (): void => {
    if (Atomics.load(view, 0) !== 0n) return void watching.delete(w.slot);
    const info = readProc(w.pid);
    const t = now();
    // Gone (reaped: the main thread has it) or another process under a reused pid: stop.
    if (!info || info.start !== w.start) return void watching.delete(w.slot);
    if (exitedForWait(info)) {
      Atomics.compareExchange(view, 0, 0n, BigInt(Math.max(1, Math.round(t * 1000))));
      return void watching.delete(w.slot);
    }
    if (t - from > WATCH_MS) return void watching.delete(w.slot);
    if (t - from < TIGHT_MS) setImmediate(look);
    else setTimeout(look, POLL_MS);
  };
  look();
}
