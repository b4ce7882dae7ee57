import { eventsOf, firstOf, type HistoryEvent, type SignalSentEvent, type TargetExitEvent } from './events.js';

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

// The target's exit as recorded, if it was seen.
export function targetExit(events: readonly HistoryEvent[]): TargetExitEvent | undefined {
  return firstOf(events, 'target:exit');
}
