import type { HistoryEvent } from '../history/events.js';
import type { z } from 'zod';
import type { CheckResult } from './result.js';
import type { CheckFieldRegistry, CheckName, RunSpec } from './registry.js';

// The result types live in result.ts (no schema import), so the report's browser scripts can type
// their data without the schema and, through it, the load engines and Node.
export type { CheckStatus, RunVerdict, CheckResult } from './result.js';

export interface CheckContext {
  spec: RunSpec;
  events: readonly HistoryEvent[];
}

// A check's expectation fields (its part of `expect`), each a zod type with a one-line `.describe()`,
// built from `checkKit` (scenario/fields.ts); the schema's `expect` is every listed check's fields,
// in list order.
export type CheckFields = Readonly<Record<string, z.ZodType>>;

// A check: a pure function of a run's history and its spec. `N` is its name (a literal, so the
// check names' union derives from the registry in check/index.ts); `F` its expectation fields.
export interface CheckDefinition<N extends string = string, F = CheckFields> {
  name: N;
  // Its fields of `expect` (a file with several checks may give a shared field, e.g. `filesDir`, to one).
  expect: F;
  // True when the spec asks for this check.
  applies(spec: RunSpec): boolean;
  judge(ctx: CheckContext): CheckResult;
}

// Declares a check, keeping its name as a literal type: `export const x = defineCheck({ name: 'x',
// expect: xFields, ... })`; its fields are the ones its file registered under its name (registry.ts).
export function defineCheck<const N extends CheckName>(check: CheckDefinition<N, CheckFieldRegistry[N]>): CheckDefinition<N, CheckFieldRegistry[N]> {
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
