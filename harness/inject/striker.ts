import { Worker } from 'node:worker_threads';
import type { Delivery, SignalName } from '../history/events.js';
import { counterBell } from '../load/counters.js';
import { countNow, watchCount, type CountReached, type CountWatch } from './count-watch.js';
import { waitUntil } from './precise-timer.js';
import type { ExitWatch } from '../target/exit-watch.js';
import { acceptViewAfter, earlyAcceptSnapshot, sendSignal, type AcceptView, type DeliveryTarget, type Sent } from './signal.js';
import type { Raised } from './thread-priority.js';

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
  exitWatch?: ExitWatch;
  // Send when this count is reached (then `delayMs` later) instead of at `intendedT`.
  watch?: CountWatch & { bell: SharedArrayBuffer; delayMs: number };
}

export type StrikeResult = { id: number; cancelled: true } | { id: number; cancelled: false; sent: Sent; reached?: CountReached; countAtSend?: number };

// One step of a plan as the strike thread sends it (strike.ts Step, without the main thread's types).
export interface PlanStep { signal: SignalName; deliver: Delivery; afterMs: number }

// A whole signal plan for the strike thread, in one message: it sends `steps[from]` onwards, each at
// max(previous intended, previous actual send) + its afterMs, the first of them at `intendedT`
// (already computed by the caller), and reports each step as it is sent.
export interface PlanRequest extends Omit<StrikeRequest, 'signal' | 'deliver' | 'watch'> {
  plan: { steps: PlanStep[]; from: number };
}

// The strike thread's reports on a plan: one per step sent (in order), then `end` (the plan is
// over: every step sent, cancelled, or the leader found exited before a step).
export type PlanReport = { id: number; step: number; intendedT: number; sent: Sent } | { id: number; end: true };

// The strike thread's first message: the scheduling the OS granted it (thread-priority.ts).
export interface SchedulingReport { raised: Raised }

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
// The plans on the strike thread: each step's report, and the end (also when the thread fails).
const plans = new Map<number, (r: PlanReport) => void>();

function strikeThread(): Worker | undefined {
  if (worker) return worker;
  try {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    worker = new Worker(new URL(`./striker-entry${ext}`, import.meta.url));
  } catch {
    return undefined;
  }
  granted = undefined;
  worker.unref();
  worker.on('message', (r: StrikeResult | PlanReport | SchedulingReport) => {
    if ('raised' in r) return tellGranted(r.raised);
    if (!('cancelled' in r)) return plans.get(r.id)?.(r);
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
    endPlans();
    tellGranted(undefined);
  });
  return worker;
}

// Starts the strike thread ahead of the first strike (its start-up must not delay a signal).
export function warmStriker(): void {
  strikeThread();
}

let granted: Raised | undefined;
const onGranted: Array<(r: Raised | undefined) => void> = [];

// The thread said what it got (or ended before it could: undefined).
function tellGranted(r: Raised | undefined): void {
  granted = r;
  for (const tell of onGranted.splice(0)) tell(r);
}

// The scheduling the strike thread got (SCHED_FIFO, nice -15 or normal, and why not SCHED_FIFO);
// undefined until it has said so (it does first thing after it starts).
export function strikeThreadScheduling(): Raised | undefined {
  return granted;
}

// Starts the strike thread if needed and resolves with what it got once it has said so
// (undefined when the thread cannot start).
export function strikeThreadRaised(): Promise<Raised | undefined> {
  if (!strikeThread()) return Promise.resolve(undefined);
  if (granted) return Promise.resolve(granted);
  return new Promise((resolve) => onGranted.push(resolve));
}

// Ends the strike thread (at the end of a suite).
export async function stopStriker(): Promise<void> {
  const w = worker;
  worker = undefined;
  const pending = [...waiting];
  waiting.clear();
  for (const [id, resolve] of pending) resolve({ id, cancelled: true });
  endPlans();
  for (const tell of onGranted.splice(0)) tell(undefined);
  if (w) await w.terminate();
}

// Every plan on the strike thread ends now (its steps not yet reported are not sent).
function endPlans(): void {
  const pending = [...plans];
  plans.clear();
  for (const [id, report] of pending) report({ id, end: true });
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
  const early = snapshotPort === undefined ? undefined : earlyView(intendedT, target.pid, snapshotPort, now, abort);
  const result = await request(w, requestOf(options.origin, intendedT, signal, deliver, target), abort);
  early?.stop();
  if (result.cancelled) return undefined;
  return snapshotPort === undefined ? result.sent : { ...result.sent, accept: acceptViewAfter(result.sent, target.pid, snapshotPort, now, early?.read()) };
}

// The early accept view, on this thread, EARLY_SNAPSHOT_MS ahead of `intendedT` (when the lead
// allows it); `read` is the read once it was taken, `stop` ends the wait for it.
function earlyView(intendedT: number, pid: number, port: number, now: () => number, abort: AbortSignal): { read: () => ReturnType<typeof earlyAcceptSnapshot> | undefined; stop: () => void } {
  let early: ReturnType<typeof earlyAcceptSnapshot> | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (intendedT - now() > EARLY_MIN_LEAD_MS) {
    timer = setTimeout(() => {
      if (!abort.aborted && intendedT - now() > EARLY_MIN_LEAD_MS) early = earlyAcceptSnapshot(pid, port, now);
    }, Math.max(0, intendedT - EARLY_SNAPSHOT_MS - now()));
  }
  return { read: () => early, stop: () => timer && clearTimeout(timer) };
}

// Sends a signal plan's steps from `from` on, the first of them at `intendedT`, each later one at
// max(previous intended, previous actual send) + its afterMs; calls `onSent` on this thread for
// each step sent, in order (`intendedT` the step's intended time; step 0 with the accept view of
// `snapshotPort` when asked). Steps due within HAND_OFF_MS are sent at once from this thread; the
// rest go to the strike thread in one request, which times and sends each of them itself (no
// main-thread round trip between steps) and stops at the first step due after the leader exited
// or after `abort` fired. Without a strike thread, the same on this thread. Resolves when the plan
// is over; never rejects.
export async function schedulePlan(options: {
  origin: string; now: () => number; intendedT: number; steps: readonly PlanStep[]; from: number; target: DeliveryTarget; abort: AbortSignal;
  snapshotPort?: number;
  onSent: (step: number, intendedT: number, sent: Scheduled) => void;
}): Promise<void> {
  const { now, steps, target, abort, snapshotPort, onSent } = options;
  const withAccept = (i: number, sent: Sent, early?: ReturnType<typeof earlyAcceptSnapshot>): Scheduled =>
    i === 0 && snapshotPort !== undefined ? { ...sent, accept: acceptViewAfter(sent, target.pid, snapshotPort, now, early) } : sent;
  let i = options.from;
  let intendedT = options.intendedT;
  // Sends step i from this thread now, and times the next one.
  const sendHere = (): void => {
    const sent = sendSignal(target, steps[i]!.signal, steps[i]!.deliver, now);
    onSent(i, intendedT, withAccept(i, sent));
    if (i + 1 < steps.length) intendedT = Math.max(intendedT, sent.t) + steps[i + 1]!.afterMs;
  };
  // The steps due at once.
  for (; i < steps.length && !abort.aborted && intendedT - now() <= HAND_OFF_MS; i++) sendHere();
  if (i >= steps.length || abort.aborted) return;
  const w = strikeThread();
  if (!w) {
    // No strike thread: the same plan, timed on this thread (a step due at once, as the rest of a
    // burst is, is sent with no wait between).
    for (; i < steps.length; i++) {
      if (intendedT - now() > HAND_OFF_MS) await waitUntil(intendedT, now, { signal: abort });
      if (abort.aborted) return;
      sendHere();
    }
    return;
  }
  const early = i === 0 && snapshotPort !== undefined ? earlyView(intendedT, target.pid, snapshotPort, now, abort) : undefined;
  const id = nextId++;
  const req = targetOf(options.origin, intendedT, target);
  await new Promise<void>((resolve) => {
    const onAbort = (): void => w.postMessage({ cancel: id });
    plans.set(id, (r) => {
      if ('end' in r) {
        plans.delete(id);
        early?.stop();
        abort.removeEventListener('abort', onAbort);
        if (waiting.size === 0 && plans.size === 0) w.unref();
        return resolve();
      }
      if (r.step === 0) early?.stop();
      onSent(r.step, r.intendedT, withAccept(r.step, r.sent, r.step === 0 ? early?.read() : undefined));
    });
    abort.addEventListener('abort', onAbort, { once: true });
    w.ref();
    const message: PlanRequest = { ...req, id, plan: { steps: [...steps], from: i } };
    w.postMessage(message);
  });
}

// A strike request for the strike thread (the target's known pids read now).
function requestOf(origin: string, intendedT: number, signal: SignalName, deliver: Delivery, target: DeliveryTarget): Omit<StrikeRequest, 'id'> {
  return { ...targetOf(origin, intendedT, target), signal, deliver };
}

// The run clock, the moment and the target of a request to the strike thread.
function targetOf(origin: string, intendedT: number, target: DeliveryTarget): Omit<StrikeRequest, 'id' | 'signal' | 'deliver' | 'watch'> {
  return {
    origin, intendedT, pid: target.pid, pgid: target.pgid, marker: target.marker,
    ...(target.minStart ? { minStart: target.minStart } : {}), known: target.known?.() ?? [],
    ...(target.procsFile ? { procsFile: target.procsFile } : {}), ...(target.exitWatch ? { exitWatch: target.exitWatch } : {}),
  };
}

// Hands one strike to the strike thread; resolves with its report (cancelled when `abort` fires).
async function request(w: Worker, req: Omit<StrikeRequest, 'id'>, abort: AbortSignal): Promise<StrikeResult> {
  const id = nextId++;
  return new Promise<StrikeResult>((resolve) => {
    const onAbort = (): void => w.postMessage({ cancel: id });
    waiting.set(id, (r) => {
      abort.removeEventListener('abort', onAbort);
      if (waiting.size === 0 && plans.size === 0) w.unref();
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
