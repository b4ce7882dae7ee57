import { z } from 'zod';
import { SIGNAL_NAMES } from '../history/events.js';
import { ackPatternProblem, userRegexProblem } from './regex.js';

// The field builders the scenario schema (schema.ts), the load kinds (load/kinds/*.ts), the
// trigger kinds (triggers/*.ts) and the checks' expectation fields (check/*.ts) share.
// Each is one zod instance, reused wherever the field appears, so the JSON Schema and the README
// reference describe it the same way everywhere. A load kind gets them as `fieldKit` (its
// `schema(kit)` builds its fields from it), so a kind file imports no zod at runtime: the load
// worker loads the kinds without loading the validator.

// A signal name (SIGTERM, ...), from history/events.ts's one list.
export const signalName = z.enum(SIGNAL_NAMES);
export const ms = z.number().finite().nonnegative();
export const positiveInt = z.number().int().positive();
export const loadName = z.string().optional().describe('Name of this load, for `driver` in triggers and checks; unset: `<kind>#<index>`');
export const loadDuration = ms.default(30_000).describe('How long the load runs, in ms (it also stops at the target\'s exit)');
export const message = z.string().default('{"seq":{seq}}').describe('Message text; `{seq}` (a counter) and `{client}` (the client id) are filled in');
export const ackPattern = z.string().superRefine((s, ctx) => {
  const problem = ackPatternProblem(s);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
}).default('"ack":{seq}\\b').describe('A received message matching this RE2 pattern (with `{seq}` a run of digits, `{client}` the client id; written in the syntax RE2 and JavaScript share, as the browser page runs it too) acks the message with that seq; a message unacked at its close is lost');
// A user pattern, validated with the engine that will run it (RE2, linear time; see scenario/regex.ts).
export const regex = z.string().min(1).superRefine((s, ctx) => {
  const problem = userRegexProblem(s);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

// `driver`: which load a trigger or check counts, by the load's `name`.
export const driver = z.string().optional().describe('Only the load with this `name` counts (unnamed loads are `<kind>#<index>`, e.g. `http#0`); unset: every load');
export const streamOf = z.enum(['stdout', 'stderr', 'any']).default('any').describe('Which output stream the line must be on');
// Every trigger's deadline, and the delay of the triggers that have one (scenario/triggers/).
export const withTimeout = { timeoutMs: ms.optional().describe('Deadline in ms for the trigger to fire, from when it is armed; unset: the run\'s `timeoutMs`; missed: the run is an `error` (TRIGGER_TIMEOUT)') };
export const delayMs = ms.default(0).describe('Strike this many ms after the trigger condition is met');

// What a load kind's `schema(kit)` builds its fields with: zod itself and the shared fields.
export const fieldKit = { z, ms, positiveInt, loadName, loadDuration, message, ackPattern, regex };
export type FieldKit = typeof fieldKit;

// What a check file builds its expectation fields with (check/types.ts CheckDefinition `expect`):
// zod and the shared fields, so a check file needs no zod import of its own.
export const checkKit = { z, ms, regex, driver, streamOf, signalName };
export type CheckKit = typeof checkKit;
