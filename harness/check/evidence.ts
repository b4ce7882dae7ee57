import type { TargetExitEvent } from '../history/events.js';

// The finders over a history live in history/query.ts (metrics use them too); checks take them from here.
export { escalation, escalationOfRest, firstSignal, lastSignal, targetExit } from '../history/query.js';

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
