import { checkKit } from '../scenario/fields.js';
import { firstSignal, lastSignal, msText, round3, targetExit } from './evidence.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z, ms } = checkKit;

const timeToExitFields = {
  timeToExitMs: z.strictObject({ max: ms.describe('Budget in ms from the signal to the target\'s exit'), from: z.enum(['first-signal', 'last-signal']).default('first-signal').describe('Count from the first or the last signal of the plan') }).optional().describe('time-to-exit: the target exits within a budget after the signal'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'time-to-exit': typeof timeToExitFields }
}

// time-to-exit: from the first (or last) planned signal to the leader's exit, within a budget.
export const timeToExit = defineCheck({
  name: 'time-to-exit',
  expect: timeToExitFields,
  applies: (spec) => spec.expect.timeToExitMs !== undefined,
  judge({ spec, events }) {
    const { max, from } = spec.expect.timeToExitMs!;
    const expected = { maxMs: max, from };
    const signal = from === 'last-signal' ? lastSignal(events) : firstSignal(events);
    if (!signal) return noEvidence('time-to-exit', expected, 'no signal was sent (the target exited or the run ended before the strike)');
    const exit = targetExit(events);
    if (!exit || exit.byHarness) {
      const end = events.at(-1)?.t ?? signal.t;
      return fail('time-to-exit', expected, { ms: null, stillRunningAfterMs: round3(end - signal.t) }, `the target had not exited by itself ${msText(end - signal.t)} after ${signal.signal}`);
    }
    const ms = round3(exit.t - signal.t);
    return ms <= max
      ? pass('time-to-exit', expected, { ms }, `exited ${msText(ms)} after ${signal.signal} (budget ${max} ms)`)
      : fail('time-to-exit', expected, { ms }, `exited ${msText(ms)} after ${signal.signal}, over the ${max} ms budget by ${msText(ms - max)}`);
  },
});
