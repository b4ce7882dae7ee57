import { eventsOf, firstOf, type HistoryEvent, type SignalSentEvent, type TargetExitEvent } from '../history/events.js';

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

// `12.345 ms`
export function msText(ms: number): string {
  return `${ms.toFixed(3)} ms`;
}

// How an exit reads to a person: `code 0`, `signal SIGKILL (137)`, `ended by the harness`.
export function exitText(exit: TargetExitEvent): string {
  const base = exit.signal ? `signal ${exit.signal} (${exit.shellCode})` : `code ${exit.code}`;
  return exit.byHarness ? `${base}, ended by the harness` : base;
}

// Milliseconds rounded to the microsecond (no float noise in reports): the clock's one rounding.
export { round3 } from '../clock.js';
