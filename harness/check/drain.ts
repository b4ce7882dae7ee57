import { loadView, opDetail, capDetails, offsetText, r3, tally } from '../history/ops.js';
import { firstSignal } from './evidence.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

// drain: every operation started before the first signal completed ok (a request answered 2xx/3xx,
// a message acked, a command replied to). Failures are listed with their outcome and their
// offsets from the signal. No evidence when no signal was sent, no operation started before it,
// or none was in flight at it (then draining was not exercised: strike `{ inFlightAtLeast: K }`).
export const drain = defineCheck({
  name: 'drain',
  applies: (spec) => spec.expect.drain !== undefined && spec.expect.drain !== false,
  judge({ spec, events }) {
    const cfg = spec.expect.drain;
    const driver = typeof cfg === 'object' ? cfg.driver : undefined;
    const expected = { everyOperationStartedBeforeTheSignal: 'ok', ...(driver ? { driver } : {}) };
    const signal = firstSignal(events);
    if (!signal) return noEvidence('drain', expected, 'no signal was sent, so nothing had to drain');
    const S = signal.t;
    const { ops, summaries } = loadView(events, driver);
    const before = ops.filter((o) => o.startT < S);
    const folded = summaries.filter((s) => s.fromT < S);
    const foldedOps = folded.reduce((n, s) => n + s.ops, 0);
    const inFlight = before.filter((o) => o.endT === undefined || o.endT >= S);
    const byOutcome: Record<string, number> = {};
    for (const o of before) tally(byOutcome, o.outcome);
    for (const s of folded) for (const [k, n] of Object.entries(s.outcomes)) tally(byOutcome, k, n ?? 0);
    const failed = before.filter((o) => o.outcome !== 'ok');
    const foldedFailed = folded.flatMap((s) =>
      Object.entries(s.outcomes).filter(([k, n]) => k !== 'ok' && (n ?? 0) > 0).map(([k, n]) => ({ driver: s.driver, outcome: k, count: n, summarized: true, fromOffsetMs: r3(s.fromT - S), toOffsetMs: r3(s.toT - S) })),
    );
    const actual = { startedBeforeSignal: before.length + foldedOps, inFlightAtSignal: inFlight.length, outcomes: byOutcome, failed: failed.length + foldedFailed.reduce((n, f) => n + (f.count ?? 0), 0) };
    if (before.length + foldedOps === 0) return noEvidence('drain', expected, `no operation started before ${signal.signal}`);
    if (failed.length || foldedFailed.length) {
      const firstFail = failed[0];
      const what = firstFail
        ? `first: ${firstFail.driver} ${firstFail.id}${firstFail.op ? ` (${firstFail.op})` : ''} ${firstFail.outcome}${firstFail.error ? ` (${firstFail.error})` : ''}, started ${offsetText(firstFail.startT - S)}${firstFail.endT !== undefined ? `, ended ${offsetText(firstFail.endT - S)}` : ', never ended'}`
        : 'in summarized operations';
      return fail('drain', expected, actual, `${actual.failed} of ${actual.startedBeforeSignal} operations started before ${signal.signal} did not complete ok (${inFlight.length} were in flight at the signal); ${what}`,
        capDetails([...failed.map((o) => opDetail(o, S)), ...foldedFailed]));
    }
    if (inFlight.length === 0) {
      return noEvidence('drain', expected, `no operation was in flight at ${signal.signal} (${before.length + foldedOps} had completed before it), so draining was not exercised; strike with \`{ inFlightAtLeast: K }\` or use slower operations`);
    }
    const last = Math.max(...inFlight.map((o) => o.endT!));
    return pass('drain', expected, actual, `all ${inFlight.length} operations in flight at ${signal.signal} completed ok, the last ${offsetText(last - S)} after it (${actual.startedBeforeSignal} started before it in all)`);
  },
});
