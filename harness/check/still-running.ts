import { firstOf } from '../history/events.js';
import { checkKit } from '../scenario/fields.js';
import { exitText, firstSignal, msText, round3, targetExit } from './evidence.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z, ms } = checkKit;

const stillRunningFields = {
  stillRunning: z.strictObject({ forMs: ms.describe('How long in ms after the first signal it must still be alive') }).optional().describe('still-running: the target survives the signal (e.g. SIGHUP reload); the harness then ends it'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'still-running': typeof stillRunningFields }
}

// still-running: the target was alive `forMs` after a signal it should survive (SIGHUP reload).
export const stillRunning = defineCheck({
  name: 'still-running',
  expect: stillRunningFields,
  applies: (spec) => spec.expect.stillRunning !== undefined,
  judge({ spec, events }) {
    const { forMs } = spec.expect.stillRunning!;
    const expected = { aliveAfterMs: forMs };
    const signal = firstSignal(events);
    if (!signal) return noEvidence('still-running', expected, 'no signal was sent');
    const exit = targetExit(events);
    if (exit && !exit.byHarness && exit.t - signal.t < forMs) {
      return fail('still-running', expected, { exitedAfterMs: round3(exit.t - signal.t), exit: exitText(exit) },
        `exited ${msText(exit.t - signal.t)} after ${signal.signal} (${exitText(exit)}); expected it to keep running`);
    }
    const alive = firstOf(events, 'target:alive');
    if (!alive) return noEvidence('still-running', expected, 'the run ended before the survival window closed');
    return pass('still-running', expected, { aliveAfterMs: round3(alive.sinceSignalMs) }, `still running ${msText(alive.sinceSignalMs)} after ${signal.signal}`);
  },
});
