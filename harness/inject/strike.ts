import type { Delivery, SignalName } from '../history/events.js';
import type { History } from '../history/writer.js';
import type { StrikeSpec } from '../scenario/schema.js';
import type { DeliveryTarget, Sent } from './signal.js';
import { scheduleSignal } from './striker.js';
import type { Fired } from './triggers.js';

export interface Step {
  signal: SignalName;
  afterMs: number;
  deliver: Delivery;
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
}

// Sends the plan's signals at their intended times (each recorded with intended and actual time),
// and escalates to SIGKILL on the whole tree when the target outlives the grace period.
// `sent` resolves once every step is sent (or skipped because the target exited); `settled` once
// the target has exited or the escalation was sent or cancelled. Neither rejects. `firstSentAt`
// is the run-clock time the first signal was sent, once it has been.
export function executeStrike(options: StrikeOptions): { sent: Promise<void>; settled: Promise<void>; firstSentAt: () => number | undefined } {
  const { strike, fired, target, history, hasExited, signal } = options;
  const now = (): number => history.clock.now();
  const steps = planSteps(strike);
  history.emit({ type: 'trigger:fired', t: now(), trigger: fired.trigger, reason: fired.reason, intendedT: fired.intendedT });

  // Sends at the intended moment (from the strike thread when it is ahead), unless the target has
  // exited or the run was aborted first; undefined when nothing was sent.
  const origin = history.clock.origin.toString();
  const sendAt = async (intendedT: number, sig: SignalName, deliver: Delivery): Promise<Sent | undefined> => {
    if (signal.aborted || hasExited()) return undefined;
    const cancel = new AbortController();
    const onAbort = (): void => cancel.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    void options.exited.then(onAbort);
    try {
      const sent = await scheduleSignal({ origin, now, intendedT, signal: sig, deliver, target, abort: cancel.signal });
      return sent;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
  // Each later step is timed from the previous step's actual send; the escalation's grace period
  // from the first signal's actual send (as Kubernetes and systemd count it).
  let firstAt: number | undefined;
  let firstSent: (t: number) => void = () => {};
  const firstSentT = new Promise<number | undefined>((resolve) => (firstSent = resolve));
  const stepsDone = (async () => {
    let intended = fired.intendedT;
    try {
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i]!;
        intended += step.afterMs;
        options.onPlanned?.(intended);
        const sent = await sendAt(intended, step.signal, step.deliver);
        if (!sent) return;
        history.emit({
          type: 'signal:sent', t: sent.t, signal: step.signal, deliver: step.deliver,
          intendedT: intended, sentT: sent.t, step: i, escalation: false, pids: sent.pids,
          ...(sent.error ? { error: sent.error } : {}),
        });
        if (i === 0) {
          firstAt = sent.t;
          firstSent(sent.t);
        }
        intended = Math.max(intended, sent.t);
      }
    } finally {
      firstSent(undefined as unknown as number);
    }
  })();

  const escalation = strike.escalate === false ? undefined : strike.escalate;
  const escalated = (async () => {
    const from = await firstSentT;
    if (!escalation || from === undefined) return;
    const intended = from + escalation.afterMs;
    options.onPlanned?.(intended);
    const sent = await sendAt(intended, escalation.signal, 'tree');
    if (!sent) return;
    history.emit({
      type: 'signal:sent', t: sent.t, signal: escalation.signal, deliver: 'tree', intendedT: intended, sentT: sent.t,
      step: steps.length, escalation: true, pids: sent.pids, ...(sent.error ? { error: sent.error } : {}),
    });
  })();

  return { sent: stepsDone, settled: escalated, firstSentAt: () => firstAt };
}

