import { checkKit } from '../scenario/fields.js';
import { exitText, targetExit } from './evidence.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z, signalName } = checkKit;

const exitStatusFields = {
  exit: z.strictObject({
    codes: z.array(z.number().int()).optional().describe('Exit codes that pass (a code also matches a signal death whose shell status 128+n equals it)'),
    signals: z.array(signalName).optional().describe('Signals the target may die of and pass'),
  }).refine((e) => (e.codes?.length ?? 0) + (e.signals?.length ?? 0) > 0, 'give at least one of `codes` or `signals`').optional().describe('exit-status: the target exits by itself with one of these codes or signals'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'exit-status': typeof exitStatusFields }
}

// exit-status: the target exited by itself with a declared code or signal. A code in `codes`
// also matches a death by signal whose shell status (128 + n) it equals, as `$?` would show.
export const exitStatus = defineCheck({
  name: 'exit-status',
  expect: exitStatusFields,
  applies: (spec) => spec.expect.exit !== undefined,
  judge({ spec, events }) {
    const policy = spec.expect.exit!;
    const expected = { codes: policy.codes ?? [], signals: policy.signals ?? [] };
    const exit = targetExit(events);
    if (!exit) return noEvidence('exit-status', expected, 'the target never exited while the harness watched (or never started)');
    const actual = { code: exit.code, signal: exit.signal, shellCode: exit.shellCode, byHarness: exit.byHarness };
    if (exit.byHarness) return fail('exit-status', expected, actual, `the target did not exit by itself: ${exitText(exit)}`);
    const codeOk = expected.codes.includes(exit.code ?? exit.shellCode);
    const signalOk = exit.signal !== null && (expected.signals as string[]).includes(exit.signal);
    const want = [...expected.codes.map((c) => `code ${c}`), ...expected.signals.map((s) => `signal ${s}`)].join(' or ');
    return codeOk || signalOk
      ? pass('exit-status', expected, actual, `exited with ${exitText(exit)}`)
      : fail('exit-status', expected, actual, `exited with ${exitText(exit)}, expected ${want}`);
  },
});
