import type { HistoryEvent } from '../history/events.js';
import type { RunSpec } from '../scenario/schema.js';

export type CheckStatus = 'pass' | 'fail' | 'error';

// A run's verdict in results.json (see CONTRACTS.md): `skipped` when the run was never executed.
export type RunVerdict = 'pass' | 'fail' | 'error' | 'skipped';

// One verdict of one check. `passed` is true only for `pass`; `error` means the history holds no
// evidence either way (the load never connected, the target never got the signal, ...).
export interface CheckResult {
  name: string;
  passed: boolean;
  status: CheckStatus;
  expected: unknown;
  actual: unknown;
  message: string;
  // Items behind a failure (failed requests with their offset from the signal, survivors, ...).
  details?: unknown[];
}

export interface CheckContext {
  spec: RunSpec;
  events: readonly HistoryEvent[];
}

// A check: a pure function of a run's history and its spec. `N` is its name (a literal, so the
// check names' union derives from the registry in check/index.ts).
export interface CheckDefinition<N extends string = string> {
  name: N;
  // True when the spec asks for this check.
  applies(spec: RunSpec): boolean;
  judge(ctx: CheckContext): CheckResult;
}

// Declares a check, keeping its name as a literal type: `export const x = defineCheck({ name: 'x', ... })`.
export function defineCheck<const N extends string>(check: CheckDefinition<N>): CheckDefinition<N> {
  return check;
}

// Builders so every check reports the same shape.
export function pass(name: string, expected: unknown, actual: unknown, message: string, details?: unknown[]): CheckResult {
  return { name, passed: true, status: 'pass', expected, actual, message, ...(details ? { details } : {}) };
}
export function fail(name: string, expected: unknown, actual: unknown, message: string, details?: unknown[]): CheckResult {
  return { name, passed: false, status: 'fail', expected, actual, message, ...(details ? { details } : {}) };
}
export function noEvidence(name: string, expected: unknown, message: string): CheckResult {
  return { name, passed: false, status: 'error', expected, actual: null, message };
}
