import { eventsOf, firstOf, type HistoryEvent, type SignalSentEvent, type TargetExitEvent } from './events.js';

// True for a 2xx HTTP status (a probe that says "ready"); no answer (null) is not.
export function is2xx(status: number | null | undefined): boolean {
  return typeof status === 'number' && status >= 200 && status < 300;
}

// The first signal of the plan (not an escalation), if one was sent.
export function firstSignal(events: readonly HistoryEvent[]): SignalSentEvent | undefined {
  return eventsOf(events, 'signal:sent').find((e) => !e.escalation && !e.error);
}

// The last planned signal that was sent.
export function lastSignal(events: readonly HistoryEvent[]): SignalSentEvent | undefined {
  return eventsOf(events, 'signal:sent').filter((e) => !e.escalation && !e.error).at(-1);
}

// The escalation, if one was needed.
export function escalation(events: readonly HistoryEvent[]): SignalSentEvent | undefined {
  return eventsOf(events, 'signal:sent').find((e) => e.escalation);
}

// An escalation that went to what the main process left behind (systemd KillMode=mixed once main
// exited, control-group at TimeoutStopSec): the leader itself had exited by itself before it.
export function escalationOfRest(events: readonly HistoryEvent[]): SignalSentEvent | undefined {
  const esc = escalation(events);
  const exit = targetExit(events);
  return esc && esc.reason !== undefined && exit && !exit.byHarness && exit.t <= esc.t ? esc : undefined;
}

// The target's exit as recorded, if it was seen.
export function targetExit(events: readonly HistoryEvent[]): TargetExitEvent | undefined {
  return firstOf(events, 'target:exit');
}
