import { acceptedBefore, loadView, notAcceptedHow, opDetail, capDetails, offsetText, r3, tally } from '../history/ops.js';
import { checkKit } from '../scenario/fields.js';
import { firstSignal } from './evidence.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z, driver } = checkKit;

const drainFields = {
  drain: z.union([z.boolean(), z.strictObject({ driver })]).optional().describe('drain: every load operation started before the signal completed ok'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'drain': typeof drainFields }
}

// drain: every operation the server had accepted before the first signal completed ok (a request
// answered 2xx/3xx, a message acked, a command replied to). Failures are listed with their outcome
// and their offsets from the signal. A connect the server never accepted before the signal (still
// connecting, or left in the listen backlog by the kernel's view at the signal) is not judged here:
// it is counted apart (`notAccepted`) and judged by new-work-rejected. A client timeout is the
// driver giving up, not the server failing: with no other failure the check has no evidence
// (`error`, raise the driver's timeoutMs). No evidence either when no signal was sent, no operation
// was accepted before it, or none was in flight at it (strike `{ inFlightAtLeast: K }`).
export const drain = defineCheck({
  name: 'drain',
  expect: drainFields,
  applies: (spec) => spec.expect.drain !== undefined && spec.expect.drain !== false,
  judge({ spec, events }) {
    const cfg = spec.expect.drain;
    const driver = typeof cfg === 'object' ? cfg.driver : undefined;
    const expected = { everyOperationStartedBeforeTheSignal: 'ok', ...(driver ? { driver } : {}) };
    const signal = firstSignal(events);
    if (!signal) return noEvidence('drain', expected, 'no signal was sent, so nothing had to drain');
    const S = signal.t;
    const { ops, summaries } = loadView(events, driver);
    const startedBefore = ops.filter((o) => o.startT < S);
    const before = startedBefore.filter((o) => acceptedBefore(o, S));
    const notAccepted = startedBefore.filter((o) => !acceptedBefore(o, S));
    const notAcceptedOutcomes: Record<string, number> = {};
    for (const o of notAccepted) tally(notAcceptedOutcomes, `${notAcceptedHow(o)}: ${o.outcome}`);
    const notAcceptedText = notAccepted.length
      ? `; ${notAccepted.length} connect${notAccepted.length === 1 ? '' : 's'} the server had not accepted at the signal not judged here (${Object.entries(notAcceptedOutcomes).map(([k, n]) => `${k} ${n}`).join(', ')}; see new-work-rejected)`
      : '';
    const folded = summaries.filter((s) => s.fromT < S);
    const foldedOps = folded.reduce((n, s) => n + s.ops, 0);
    const inFlight = before.filter((o) => o.endT === undefined || o.endT >= S);
    const byOutcome: Record<string, number> = {};
    for (const o of before) tally(byOutcome, o.outcome);
    for (const s of folded) for (const [k, n] of Object.entries(s.outcomes)) tally(byOutcome, k, n ?? 0);
    const allFailed = before.filter((o) => o.outcome !== 'ok');
    // The driver gave up (its own timeout): not evidence against the server.
    const gaveUp = allFailed.filter((o) => o.outcome === 'timeout');
    const failed = allFailed.filter((o) => o.outcome !== 'timeout');
    const foldedFailed = folded.flatMap((s) =>
      Object.entries(s.outcomes).filter(([k, n]) => k !== 'ok' && (n ?? 0) > 0).map(([k, n]) => ({ driver: s.driver, outcome: k, count: n, summarized: true, fromOffsetMs: r3(s.fromT - S), toOffsetMs: r3(s.toT - S) })),
    );
    const actual = {
      startedBeforeSignal: before.length + foldedOps, inFlightAtSignal: inFlight.length, outcomes: byOutcome, failed: failed.length + foldedFailed.reduce((n, f) => n + (f.count ?? 0), 0),
      driverGaveUp: gaveUp.length, notAccepted: { count: notAccepted.length, outcomes: notAcceptedOutcomes },
    };
    const gaveUpText = gaveUp.length ? `; the driver gave up on ${gaveUp.length} (its own timeout: ${gaveUp[0]!.error ?? 'timeout'})` : '';
    if (before.length + foldedOps === 0) return noEvidence('drain', expected, `no operation the server had accepted started before ${signal.signal}${notAcceptedText}`);
    if (failed.length || foldedFailed.length) {
      const firstFail = failed[0];
      const what = firstFail
        ? `first: ${firstFail.driver} ${firstFail.id}${firstFail.op ? ` (${firstFail.op})` : ''} ${firstFail.outcome}${firstFail.error ? ` (${firstFail.error})` : ''}, started ${offsetText(firstFail.startT - S)}${firstFail.endT !== undefined ? `, ended ${offsetText(firstFail.endT - S)}` : ', never ended'}`
        : 'in summarized operations';
      return fail('drain', expected, actual, `${actual.failed} of ${actual.startedBeforeSignal} operations started before ${signal.signal} did not complete ok (${inFlight.length} were in flight at the signal); ${what}${gaveUpText}${notAcceptedText}`,
        capDetails([...failed.map((o) => opDetail(o, S)), ...gaveUp.map((o) => ({ ...opDetail(o, S), driverGaveUp: true })), ...foldedFailed]));
    }
    if (gaveUp.length) {
      return noEvidence('drain', expected, `the driver gave up on ${gaveUp.length} of ${actual.startedBeforeSignal} operations started before ${signal.signal} (its own timeout: ${gaveUp[0]!.error ?? 'timeout'}), so whether the server would have finished them is unknown: raise the driver's timeoutMs${notAcceptedText}`);
    }
    if (inFlight.length === 0) {
      return noEvidence('drain', expected, `no operation was in flight at ${signal.signal} (${before.length + foldedOps} had completed before it), so draining was not exercised; strike with \`{ inFlightAtLeast: K }\` or use slower operations${notAcceptedText}`);
    }
    const last = Math.max(...inFlight.map((o) => o.endT!));
    return pass('drain', expected, actual, `all ${inFlight.length} operations in flight at ${signal.signal} completed ok, the last ${offsetText(last - S)} after it (${actual.startedBeforeSignal} started before it in all)${notAcceptedText}`);
  },
});
