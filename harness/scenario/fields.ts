import { z } from 'zod';
import { userRegexProblem } from './regex.js';

// The field builders the scenario schema (schema.ts) and the load kinds (load/kinds/*.ts) share.
// Each is one zod instance, reused wherever the field appears, so the JSON Schema and the README
// reference describe it the same way everywhere. A load kind gets them as `fieldKit` (its
// `schema(kit)` builds its fields from it), so a kind file imports no zod at runtime: the load
// worker loads the kinds without loading the validator.

export const ms = z.number().finite().nonnegative();
export const positiveInt = z.number().int().positive();
export const loadName = z.string().optional().describe('Name of this load, for `driver` in triggers and checks; unset: `<kind>#<index>`');
export const loadDuration = ms.default(30_000).describe('How long the load runs, in ms (it also stops at the target\'s exit)');
export const message = z.string().default('{"seq":{seq}}').describe('Message text; `{seq}` (a counter) and `{client}` (the client id) are filled in');
export const ackPattern = z.string().default('"ack":{seq}\\b').describe('A received message matching this (with `{seq}`, `{client}` filled in) acks the message with that seq; a message unacked at its close is lost');
// A user pattern, validated with the engine that will run it (RE2, linear time; see scenario/regex.ts).
export const regex = z.string().min(1).superRefine((s, ctx) => {
  const problem = userRegexProblem(s);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

// What a load kind's `schema(kit)` builds its fields with: zod itself and the shared fields.
export const fieldKit = { z, ms, positiveInt, loadName, loadDuration, message, ackPattern, regex };
export type FieldKit = typeof fieldKit;
