import { z } from 'zod';
import { ms, regex, withTimeout } from '../fields.js';
import { defineTrigger } from './kind.js';

// The strike-time sweep (harness/sweep/): runs the strike at many offsets from an anchor and
// reports the windows of offsets where the run fails.
export const SweepAnchorSchema = z.union([
  z.enum(['ready', 'spawn', 'firstResponse']),
  z.strictObject({ log: regex.describe('Offsets count from the first target output line matching this pattern (RE2)') }),
]).describe('What offsets count from: `ready` (default), `spawn`, `firstResponse` (the load\'s first completed operation) or `{ log: regex }`');
export const SweepSchema = z.strictObject({
  fromMs: ms.describe('First offset of the sweep, in ms after the anchor'),
  toMs: ms.describe('Last offset of the sweep, in ms after the anchor (>= fromMs)'),
  resolutionMs: z.number().finite().positive().default(10).describe('Each window edge is located to within this many ms (bisection stops there)'),
  anchor: SweepAnchorSchema.default('ready'),
  repeats: z.number().int().min(1).max(20).default(3).describe('Runs per offset where results are flaky (mixed at one offset, or a narrow gap between failures); the window then gets a failure rate'),
  maxRuns: z.number().int().min(1).max(1_000).default(60).describe('The most runs one sweep may take (the `--max-runs` flag overrides it); a sweep stopped by it before its grid was done is an error'),
}).refine((s) => s.fromMs <= s.toMs, { message: '`fromMs` must be <= `toMs`', path: ['toMs'] });

export const sweep = defineTrigger({
  key: 'sweep',
  schema: z.strictObject({ sweep: SweepSchema.describe('Sweep the strike moment from fromMs to toMs after the anchor and report the vulnerable windows'), ...withTimeout }),
  describe: (s) => `swept over +${s.sweep.fromMs}..+${s.sweep.toMs} ms after ${typeof s.sweep.anchor === 'string' ? s.sweep.anchor : `log /${s.sweep.anchor.log}/`}`,
  // Expanded into runs with concrete triggers (harness/sweep/); it never reaches a run.
  arm: { on: 'suite' },
});
