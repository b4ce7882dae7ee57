import { round3 } from '../clock.js';
import type { Delivery, SignalName } from '../history/events.js';
import type { History } from '../history/writer.js';
import type { StrikeSpec } from '../scenario/schema.js';
import { waitUntil } from './precise-timer.js';
import { sendSignal, type DeliveryTarget } from './signal.js';
import { schedulePlan, scheduleSignal, type Scheduled } from './striker.js';
import type { Fired } from './triggers.js';

export interface Step {
  signal: SignalName;
  afterMs: number;
  deliver: Delivery;
}

// The plan's first step, when the strike thread may send it at a count trigger's moment: not
// with a preStop hook (the hook runs first).
export function firstStepOf(strike: StrikeSpec): Step | undefined {
  return strike.preStop ? undefined : planSteps(strike)[0];
}

// The signal plan as a list of steps, each with its delay after the previous one.
export function planSteps(strike: StrikeSpec): Step[] {
  const list = Array.isArray(strike.signal) ? strike.signal : [strike.signal];
  return list.map((s) =>
    typeof s === 'string'
      ? { signal: s, afterMs: 0, deliver: strike.deliver }
      : { signal: s.signal, afterMs: s.afterMs, deliver: s.deliver ?? strike.deliver },
  );
}

export interface StrikeOptions {
  strike: StrikeSpec;
  fired: Fired;
  target: DeliveryTarget;
  history: History;
  // True once the leader has exited; later steps are not sent.
  hasExited: () => boolean;
  // Told the intended time of each coming signal, so background work can keep clear of it.
  onPlanned?: (t: number) => void;
  exited: Promise<unknown>;
  signal: AbortSignal;
  // Runs an `exec` preStop hook (strike.preStop) until it exits or `abort` fires; never rejects.
  runPreStop?: (argv: string[], abort: AbortSignal) => Promise<HookResult>;
  // The target's port: the first signal records the kernel's accept view of it (accept:snapshot).
  port?: number;
}

export interface HookResult { code: number | null; signal: string | null; error?: string }

// The kubelet's one-off grace extension when preStop is still running at the end of the grace
// (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination).
export const PRESTOP_EXTENSION_MS = 2_000;

// Sends the plan's signals at their intended times (each recorded with intended and actual time),
// and escalates to SIGKILL on the whole tree when the target outlives the grace period.
// With `strike.preStop` the hook runs first (prestop:start / prestop:end), the first signal follows
// its end (or the end of the grace, if it is still running: then the escalation comes 2 s later),
// and the grace is counted from the hook's start. With `strike.endpointLagMs`, `endpoint:removed`
// is recorded that long after the strike fired (the load then starts no new work). With
// `strike.killRestOnExit`, whatever is left of the tree is SIGKILLed once the leader exits.
// Sends `signal` to what the leader (target.pid, exited) left of its tree and records it as an
// escalation with its `reason` (`intendedT`: when it was due; unset: now); returns the pids
// signalled, none when nothing was left (then nothing is recorded). KillMode=mixed at the main
// process's exit, control-group at TimeoutStopSec (run/steps/evidence.ts).
export function signalRest(o: { target: DeliveryTarget; history: History; signal: SignalName; deliver: Delivery; step: number; reason: string; intendedT?: number }): number[] {
  const sent = sendSignal(o.target, o.signal, o.deliver, () => o.history.clock.now());
  const pids = sent.pids.filter((p) => p !== o.target.pid);
  if (pids.length === 0) return pids;
  o.history.emit({
    type: 'signal:sent', t: sent.t, signal: o.signal, deliver: o.deliver, intendedT: o.intendedT ?? sent.t, sentT: sent.t,
    step: o.step, escalation: true, pids, reason: o.reason, ...(sent.error ? { error: sent.error } : {}),
  });
  return pids;
}

// `sent` resolves once every step is sent (or skipped because the target exited); `settled` once
// the target has exited or the escalation was sent or cancelled (and the accept view read after
// the first signal is recorded). Neither rejects. `firstSentAt`
// is the run-clock time the first signal was sent, once it has been.
export function executeStrike(options: StrikeOptions): { sent: Promise<void>; settled: Promise<void>; firstSentAt: () => number | undefined } {
  const { strike, fired, target, history, hasExited, signal } = options;
  const now = (): number => history.clock.now();
  const steps = planSteps(strike);
  history.emit({
    type: 'trigger:fired', t: fired.atT !== undefined ? Math.min(fired.atT, now()) : now(), trigger: fired.trigger, reason: fired.reason, intendedT: fired.intendedT,
    ...(fired.count !== undefined ? { count: fired.count, thread: fired.sent ? 'strike' as const : 'main' as const } : {}),
    ...(fired.countAtSend !== undefined ? { countAtSend: fired.countAtSend } : {}),
  });

  // Runs `send` with an abort that fires when the target exits or the run is aborted; not at all
  // (undefined) when either happened already.
  const origin = history.clock.origin.toString();
  const untilExit = async <T>(send: (abort: AbortSignal) => Promise<T>): Promise<T | undefined> => {
    if (signal.aborted || hasExited()) return undefined;
    const cancel = new AbortController();
    const onAbort = (): void => cancel.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    void options.exited.then(onAbort);
    try {
      return await send(cancel.signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
  // Sends one signal (the escalation) at the intended moment (from the strike thread when it is
  // ahead); undefined when nothing was sent.
  const sendAt = async (intendedT: number, sig: SignalName, deliver: Delivery): Promise<Scheduled | undefined> =>
    untilExit((abort) => scheduleSignal({ origin, now, intendedT, signal: sig, deliver, target, abort }));
  // Sends the plan's steps from `from` on (the first of them at `intendedT`); each step sent is
  // passed to `record`.
  const planAt = async (intendedT: number, from: number, record: (i: number, intendedT: number, sent: Scheduled) => void): Promise<void> => {
    await untilExit((abort) => schedulePlan({ origin, now, intendedT, steps, from, target, abort, onSent: record, ...(options.port !== undefined ? { snapshotPort: options.port } : {}) }));
  };
  // Each later step is timed from the previous step's actual send; the escalation's grace period
  // from the first signal's actual send (as Kubernetes and systemd count it).
  let firstAt: number | undefined;
  // The accept view read after the first signal (settled waits for it).
  let acceptRead: Promise<void> = Promise.resolve();
  let firstSent: (t: number) => void = () => {};
  const firstSentT = new Promise<number | undefined>((resolve) => (firstSent = resolve));
  const escalation = strike.escalate === false ? undefined : strike.escalate;
  // Ended when the run ends or the target exits: every wait of the hook and the lag stops then.
  const sideAbort = new AbortController();
  const endSide = (): void => sideAbort.abort();
  signal.addEventListener('abort', endSide, { once: true });
  void options.exited.then(endSide);
  // preStop: the grace's origin, and whether the hook outran the grace.
  let hookPhase: Promise<{ startT: number; overran: boolean } | undefined> = Promise.resolve(undefined);
  let hookEnd: Promise<number | undefined> = Promise.resolve(fired.intendedT);
  if (strike.preStop) {
    const pre = strike.preStop;
    const hookAbort = new AbortController();
    sideAbort.signal.addEventListener('abort', () => hookAbort.abort(), { once: true });
    let startedT: (v: { startT: number; overran: boolean } | undefined) => void = () => {};
    hookPhase = new Promise((resolve) => (startedT = resolve));
    hookEnd = (async () => {
      await waitUntil(fired.intendedT, now, { signal: sideAbort.signal });
      if (sideAbort.signal.aborted) {
        startedT(undefined);
        return undefined;
      }
      const startT = now();
      history.emit({ type: 'prestop:start', t: startT, hook: 'sleepS' in pre ? `sleep ${pre.sleepS} s` : pre.exec.join(' ') });
      const graceEnd = escalation ? startT + escalation.afterMs : Infinity;
      const run: Promise<HookResult | undefined> = 'sleepS' in pre
        ? waitUntil(startT + pre.sleepS * 1000, now, { signal: hookAbort.signal }).then(() => (hookAbort.signal.aborted ? undefined : { code: 0, signal: null }))
        : options.runPreStop ? options.runPreStop(pre.exec, hookAbort.signal) : Promise.resolve({ code: null, signal: null, error: 'no way to run an exec hook here' });
      const overrun = Number.isFinite(graceEnd) ? waitUntil(graceEnd, now, { signal: sideAbort.signal }).then(() => 'overran' as const) : new Promise<never>(() => {});
      const outcome = await Promise.race([run, overrun]);
      if (outcome === 'overran' && !sideAbort.signal.aborted) {
        history.emit({ type: 'prestop:end', t: now(), startT, durationMs: round3(now() - startT), overran: true });
        startedT({ startT, overran: true });
        // The hook keeps running through the extension; the escalation (or the exit) ends it.
        return graceEnd;
      }
      const r = outcome === 'overran' ? undefined : outcome;
      const endT = 'sleepS' in pre && r ? Math.max(startT + pre.sleepS * 1000, now()) : now();
      history.emit({
        type: 'prestop:end', t: endT, startT, durationMs: round3(endT - startT), overran: false,
        ...(r ? { code: r.code, signal: r.signal, ...(r.error ? { error: r.error } : {}) } : { cut: true }),
      });
      startedT({ startT, overran: false });
      return sideAbort.signal.aborted ? undefined : 'sleepS' in pre ? startT + pre.sleepS * 1000 : endT;
    })();
  }
  if (strike.endpointLagMs !== undefined) {
    const lagMs = strike.endpointLagMs;
    void waitUntil(fired.intendedT + lagMs, now, { signal: sideAbort.signal }).then((t) => {
      if (!sideAbort.signal.aborted) history.emit({ type: 'endpoint:removed', t, fromT: fired.intendedT, lagMs });
    });
  }
  // The plan goes to the strike thread in one request (schedulePlan): it times each later step
  // itself, with the same rule, so no step waits for this thread; each step is recorded here as
  // its report arrives, in order.
  const stepsDone = (async () => {
    try {
      const begin = await hookEnd;
      if (begin === undefined) return;
      const record = (i: number, intendedT: number, sent: Scheduled): void => {
        const step = steps[i]!;
        history.emit({
          type: 'signal:sent', t: sent.t, signal: step.signal, deliver: step.deliver,
          intendedT, sentT: sent.t, step: i, escalation: false, pids: sent.pids,
          ...(sent.error ? { error: sent.error } : {}),
        });
        if (sent.accept) {
          acceptRead = sent.accept.then((view) => {
            if (view) history.emit({ type: 'accept:snapshot', ...view });
          });
        }
        if (i === 0) {
          firstAt = sent.t;
          firstSent(sent.t);
        }
        // The next step's moment, now that this one's send is known (the tracker keeps clear of it).
        if (i + 1 < steps.length) options.onPlanned?.(Math.max(intendedT, sent.t) + steps[i + 1]!.afterMs);
      };
      // The nominal moment of every step, ahead (each later one is only later if a step is late).
      let nominal = begin;
      for (const step of steps) options.onPlanned?.((nominal += step.afterMs));
      const first = begin + steps[0]!.afterMs;
      // A count trigger on the strike thread has sent the first step already (at the count).
      if (fired.sent) record(0, first, fired.sent);
      const from = fired.sent ? 1 : 0;
      if (from >= steps.length) return;
      const intendedT = fired.sent ? Math.max(first, fired.sent.t) + steps[1]!.afterMs : first;
      await planAt(intendedT, from, record);
    } finally {
      firstSent(undefined as unknown as number);
    }
  })();

  const escalated = (async () => {
    // With a preStop hook the grace runs from the hook's start (as the kubelet counts it).
    const hook = strike.preStop ? await hookPhase : undefined;
    const from = strike.preStop ? hook?.startT : await firstSentT;
    if (!escalation || from === undefined) return;
    const intended = from + escalation.afterMs + (hook?.overran ? PRESTOP_EXTENSION_MS : 0);
    const deliver = escalation.deliver ?? 'tree';
    options.onPlanned?.(intended);
    const sent = await sendAt(intended, escalation.signal, deliver);
    sideAbort.abort();
    if (!sent) return;
    history.emit({
      type: 'signal:sent', t: sent.t, signal: escalation.signal, deliver, intendedT: intended, sentT: sent.t,
      step: steps.length, escalation: true, pids: sent.pids, ...(sent.error ? { error: sent.error } : {}),
    });
  })();

  // KillMode=mixed: once the main process has exited, SIGKILL to whatever is left of the tree.
  const restKilled = strike.killRestOnExit ? (async () => {
    await options.exited;
    if (signal.aborted || firstAt === undefined) return;
    signalRest({ target, history, signal: 'SIGKILL', deliver: 'tree', step: steps.length + 1, reason: 'the main process exited: SIGKILL to the rest (KillMode=mixed)' });
  })() : Promise.resolve();

  return { sent: stepsDone, settled: Promise.all([escalated, restKilled]).then(() => acceptRead), firstSentAt: () => firstAt };
}

