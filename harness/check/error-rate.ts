import { loadView, r3, tally } from '../history/ops.js';
import { checkKit } from '../scenario/fields.js';
import { firstSignal } from './evidence.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z, driver } = checkKit;

const errorRateFields = {
  errorRate: z.strictObject({ maxPct: z.number().min(0).max(100).describe('Largest share of failed operations that passes, in percent'), driver }).optional().describe('error-rate: at most this share of load operations failed'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'error-rate': typeof errorRateFields }
}

// error-rate: at most maxPct % of all operations failed. A failure is any outcome but ok, except
// a clean rejection (503 or refused) of work started after the first signal, which is what a
// draining server should do; an operation that never ended is a failure. No evidence without
// operations.
export const errorRate = defineCheck({
  name: 'error-rate',
  expect: errorRateFields,
  applies: (spec) => spec.expect.errorRate !== undefined,
  judge({ spec, events }) {
    const { maxPct, driver } = spec.expect.errorRate!;
    const expected = { maxPct, ...(driver ? { driver } : {}) };
    const S = firstSignal(events)?.t ?? Infinity;
    const { ops, summaries } = loadView(events, driver);
    const outcomes: Record<string, number> = {};
    let total = 0;
    let failed = 0;
    const count = (outcome: string, afterSignal: boolean, n: number): void => {
      total += n;
      tally(outcomes, outcome, n);
      const clean = outcome === 'ok' || (afterSignal && (outcome === 'rejected' || outcome === 'refused'));
      if (!clean) failed += n;
    };
    for (const o of ops) count(o.outcome, o.startT >= S, 1);
    for (const s of summaries) for (const [k, n] of Object.entries(s.outcomes)) count(k, s.fromT >= S, n ?? 0);
    if (total === 0) return noEvidence('error-rate', expected, 'no operation was recorded');
    const pct = r3((failed / total) * 100);
    const actual = { pct, failed, total, outcomes };
    const text = `${failed} of ${total} operations failed (${pct} %, limit ${maxPct} %): ${Object.entries(outcomes).map(([k, n]) => `${k} ${n}`).join(', ')}`;
    return pct <= maxPct ? pass('error-rate', expected, actual, text) : fail('error-rate', expected, actual, text);
  },
});
