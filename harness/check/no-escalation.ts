import { checkKit } from '../scenario/fields.js';
import { escalation, escalationOfRest, firstSignal, msText, round3, targetExit } from './evidence.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z } = checkKit;

const noEscalationFields = {
  noEscalation: z.boolean().optional().describe('no-escalation: the target exits before the escalation; unset: on whenever the strike escalates (and no `stillRunning`)'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'no-escalation': typeof noEscalationFields }
}

// no-escalation: the target exited before the plan had to escalate to SIGKILL. On by default
// whenever the strike escalates (unless the target is expected to keep running);
// `expect.noEscalation: false` turns it off.
export const noEscalation = defineCheck({
  name: 'no-escalation',
  expect: noEscalationFields,
  applies: (spec) => spec.expect.noEscalation ?? (spec.strike !== undefined && spec.strike.escalate !== false && !spec.expect.stillRunning),
  judge({ spec, events }) {
    const grace = spec.strike && spec.strike.escalate !== false ? spec.strike.escalate.afterMs : undefined;
    const expected = { escalation: false, graceMs: grace ?? null };
    const esc = escalation(events);
    const first = firstSignal(events);
    if (esc) {
      const actual = { escalation: true, signal: esc.signal, atMs: first ? round3(esc.t - first.t) : null };
      // The main process exited by itself; what it left of its tree had to be killed.
      const rest = escalationOfRest(events);
      const exit = targetExit(events);
      if (rest && exit && first) {
        return fail('no-escalation', expected, { ...actual, rest: rest.pids },
          `the main process exited ${msText(exit.t - first.t)} after ${first.signal}, but the rest of its tree (pid ${rest.pids.join(', ')}) was still alive ${msText(rest.t - first.t)} after it: ${esc.signal} to the rest`);
      }
      return fail('no-escalation', expected, actual,
        `still alive ${first ? msText(esc.t - first.t) : '?'} after ${first?.signal ?? 'the signal'}: escalated to ${esc.signal}`);
    }
    if (!first) return noEvidence('no-escalation', expected, 'no signal was sent, so there was nothing to escalate');
    const exit = targetExit(events);
    if (!exit) return noEvidence('no-escalation', expected, 'the target never exited while the harness watched');
    if (exit.byHarness) return fail('no-escalation', expected, { escalation: false, endedByHarness: true }, 'the harness had to end the target itself');
    return pass('no-escalation', expected, { escalation: false }, `exited ${msText(exit.t - first.t)} after ${first.signal}, no escalation needed`);
  },
});
