import { Worker } from 'node:worker_threads';
import type { Delivery, SignalName } from '../history/events.js';
import { acceptViewAfter, sendSignal, type AcceptView, type DeliveryTarget, type Sent } from './signal.js';

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
  // Take the accept view of this port right after sending (see observe/accept-queue.ts).
  snapshotPort?: number;
}

export type StrikeResult = { id: number; cancelled: true } | { id: number; cancelled: false; sent: Sent };
// The accept view of a strike asked for with snapshotPort, posted after its StrikeResult.
export interface AcceptResult { id: number; accept: AcceptView }

// What was sent, and (when asked for) the accept view read after it; `accept` never rejects and
// resolves undefined when the strike thread is gone.
export type Scheduled = Sent & { accept?: Promise<AcceptView | undefined> };

// Signals due sooner than this are sent at once from the calling thread: handing them to the
// strike thread would only add a message's latency.
const HAND_OFF_MS = 3;

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, (r: StrikeResult) => void>();
const waitingAccept = new Map<number, (a: AcceptView | undefined) => void>();

function strikeThread(): Worker | undefined {
  if (worker) return worker;
  try {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    worker = new Worker(new URL(`./striker-entry${ext}`, import.meta.url));
  } catch {
    return undefined;
  }
  worker.unref();
  worker.on('message', (r: StrikeResult | AcceptResult) => {
    if ('accept' in r) {
      waitingAccept.get(r.id)?.(r.accept);
      waitingAccept.delete(r.id);
      return;
    }
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
    for (const resolve of waitingAccept.values()) resolve(undefined);
    waitingAccept.clear();
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
  for (const resolve of waitingAccept.values()) resolve(undefined);
  waitingAccept.clear();
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
  const id = nextId++;
  const request: StrikeRequest = {
    id, origin: options.origin, intendedT, signal, deliver, pid: target.pid, pgid: target.pgid, marker: target.marker,
    ...(target.minStart ? { minStart: target.minStart } : {}), known: target.known?.() ?? [],
    ...(target.procsFile ? { procsFile: target.procsFile } : {}), ...(snapshotPort !== undefined ? { snapshotPort } : {}),
  };
  let accept: Promise<AcceptView | undefined> | undefined;
  const result = await new Promise<StrikeResult>((resolve) => {
    const onAbort = (): void => w.postMessage({ cancel: id });
    waiting.set(id, (r) => {
      abort.removeEventListener('abort', onAbort);
      if (waiting.size === 0) w.unref();
      resolve(r);
    });
    abort.addEventListener('abort', onAbort, { once: true });
    if (snapshotPort !== undefined) accept = new Promise((resolve) => waitingAccept.set(id, resolve));
    w.ref();
    w.postMessage(request);
  });
  if (result.cancelled) {
    waitingAccept.get(id)?.(undefined);
    waitingAccept.delete(id);
    return undefined;
  }
  return accept ? { ...result.sent, accept } : result.sent;
}
