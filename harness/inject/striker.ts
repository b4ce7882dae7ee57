import { Worker } from 'node:worker_threads';
import type { Delivery, SignalName } from '../history/events.js';
import { counterBell } from '../load/counters.js';
import { countNow, watchCount, type CountReached, type CountWatch } from './count-watch.js';
import { acceptViewAfter, earlyAcceptSnapshot, sendSignal, type AcceptView, type DeliveryTarget, type Sent } from './signal.js';

export interface StrikeRequest {
  id: number;
  origin: string;
  intendedT: number;
  signal: SignalName;
  deliver: Delivery;
  pid: number;
  pgid: number;
  marker: string;
  minStart?: number;
  known: number[];
  procsFile?: string;
  // Send when this count is reached (then `delayMs` later) instead of at `intendedT`.
  watch?: CountWatch & { bell: SharedArrayBuffer; delayMs: number };
}

export type StrikeResult = { id: number; cancelled: true } | { id: number; cancelled: false; sent: Sent; reached?: CountReached; countAtSend?: number };

// What was sent, and (when asked for) the accept view read after it; `accept` never rejects.
export type Scheduled = Sent & { accept?: Promise<AcceptView | undefined> };

// Signals due sooner than this are sent at once from the calling thread: handing them to the
// strike thread would only add a message's latency.
const HAND_OFF_MS = 3;

// The accept view is read up to this long before a scheduled signal, so that a server dropping its
// backlog at once is still seen holding it (see observe/accept-queue.ts); not at all with less than
// EARLY_MIN_LEAD_MS of lead (the read takes 4-40 ms on a busy 2-CPU machine and must end before the
// signal). Both reads run on the calling (main) thread, never on the strike thread: a read there
// would hold up every other strike it has scheduled (a second step, another run's signal).
const EARLY_SNAPSHOT_MS = 200;
const EARLY_MIN_LEAD_MS = 60;

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, (r: StrikeResult) => void>();

function strikeThread(): Worker | undefined {
  if (worker) return worker;
  try {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    worker = new Worker(new URL(`./striker-entry${ext}`, import.meta.url));
  } catch {
    return undefined;
  }
  worker.unref();
  worker.on('message', (r: StrikeResult) => {
    const resolve = waiting.get(r.id);
    waiting.delete(r.id);
    resolve?.(r);
  });
  worker.on('error', () => {
    // Answer every pending strike as cancelled (recorded as not sent, never as sent).
    const pending = [...waiting];
    waiting.clear();
    worker = undefined;
    for (const [id, resolve] of pending) resolve({ id, cancelled: true });
  });
  return worker;
}

// Starts the strike thread ahead of the first strike (its start-up must not delay a signal).
export function warmStriker(): void {
  strikeThread();
}

// Ends the strike thread (at the end of a suite).
export async function stopStriker(): Promise<void> {
  const w = worker;
  worker = undefined;
  const pending = [...waiting];
  waiting.clear();
  for (const [id, resolve] of pending) resolve({ id, cancelled: true });
  if (w) await w.terminate();
}

// Sends `signal` at `intendedT` on the run clock (origin), from the strike thread when the moment
// is far enough ahead; resolves with what was sent, or undefined when `abort` fired first.
// Never rejects.
export async function scheduleSignal(options: {
  origin: string; now: () => number; intendedT: number; signal: SignalName; deliver: Delivery; target: DeliveryTarget; abort: AbortSignal;
  // Take the accept view of this port right after the kill() (withAcceptSnapshot).
  snapshotPort?: number;
}): Promise<Scheduled | undefined> {
  const { now, intendedT, signal, deliver, target, abort, snapshotPort } = options;
  if (abort.aborted) return undefined;
  const w = intendedT - now() > HAND_OFF_MS ? strikeThread() : undefined;
  if (!w) {
    const sent = sendSignal(target, signal, deliver, now);
    return snapshotPort === undefined ? sent : { ...sent, accept: acceptViewAfter(sent, target.pid, snapshotPort, now) };
  }
  // The early accept view, on this thread, EARLY_SNAPSHOT_MS ahead (when the lead allows it).
  let early: ReturnType<typeof earlyAcceptSnapshot> | undefined;
  let earlyTimer: NodeJS.Timeout | undefined;
  if (snapshotPort !== undefined && intendedT - now() > EARLY_MIN_LEAD_MS) {
    earlyTimer = setTimeout(() => {
      if (!abort.aborted && intendedT - now() > EARLY_MIN_LEAD_MS) early = earlyAcceptSnapshot(target.pid, snapshotPort, now);
    }, Math.max(0, intendedT - EARLY_SNAPSHOT_MS - now()));
  }
  const result = await request(w, requestOf(options.origin, intendedT, signal, deliver, target), abort);
  if (earlyTimer) clearTimeout(earlyTimer);
  if (result.cancelled) return undefined;
  return snapshotPort === undefined ? result.sent : { ...result.sent, accept: acceptViewAfter(result.sent, target.pid, snapshotPort, now, early) };
}

// A strike request for the strike thread (the target's known pids read now).
function requestOf(origin: string, intendedT: number, signal: SignalName, deliver: Delivery, target: DeliveryTarget): Omit<StrikeRequest, 'id'> {
  return {
    origin, intendedT, signal, deliver, pid: target.pid, pgid: target.pgid, marker: target.marker,
    ...(target.minStart ? { minStart: target.minStart } : {}), known: target.known?.() ?? [],
    ...(target.procsFile ? { procsFile: target.procsFile } : {}),
  };
}

// Hands one strike to the strike thread; resolves with its report (cancelled when `abort` fires).
async function request(w: Worker, req: Omit<StrikeRequest, 'id'>, abort: AbortSignal): Promise<StrikeResult> {
  const id = nextId++;
  return new Promise<StrikeResult>((resolve) => {
    const onAbort = (): void => w.postMessage({ cancel: id });
    waiting.set(id, (r) => {
      abort.removeEventListener('abort', onAbort);
      if (waiting.size === 0) w.unref();
      resolve(r);
    });
    abort.addEventListener('abort', onAbort, { once: true });
    w.ref();
    w.postMessage({ ...req, id });
  });
}

// Sends `signal` from the strike thread the moment the watched count is reached (plus `delayMs`
// and the step's `afterMs`), so no main-thread work stands between the count and the signal.
// Resolves with what was sent, when the count was reached and the count at the send; undefined
// when `abort` fired first. Never rejects. Without a strike thread, the same on this thread.
export async function signalOnCount(options: {
  watch: CountWatch; delayMs: number; afterMs: number; origin: string; now: () => number;
  signal: SignalName; deliver: Delivery; target: DeliveryTarget; abort: AbortSignal; snapshotPort?: number;
}): Promise<{ sent: Scheduled; reached: CountReached; countAtSend: number } | undefined> {
  const { watch, now, signal, deliver, target, abort, snapshotPort } = options;
  if (abort.aborted) return undefined;
  const delayMs = options.delayMs + options.afterMs;
  const w = strikeThread();
  let sent: Sent;
  let reached: CountReached;
  let countAtSend: number;
  if (w) {
    const r = await request(w, { ...requestOf(options.origin, Number.NaN, signal, deliver, target), watch: { ...watch, bell: counterBell(), delayMs } }, abort);
    if (r.cancelled || !r.reached) return undefined;
    ({ sent, reached } = r);
    countAtSend = r.countAtSend ?? r.reached.count;
  } else {
    const hit = await watchCount(watch, counterBell(), abort);
    if (!hit) return undefined;
    reached = hit;
    const at = hit.reachedT + delayMs;
    while (now() < at && !abort.aborted) await new Promise((r) => setTimeout(r, Math.max(0, at - now())));
    if (abort.aborted) return undefined;
    countAtSend = countNow(watch).count;
    sent = sendSignal(target, signal, deliver, now);
  }
  return { sent: snapshotPort === undefined ? sent : { ...sent, accept: acceptViewAfter(sent, target.pid, snapshotPort, now) }, reached, countAtSend };
}
