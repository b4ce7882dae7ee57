import { capDetails, loadView, opDetail, r3, tally } from '../load/ops.js';
import { firstSignal } from './evidence.js';
import { fail, noEvidence, pass, type CheckDefinition } from './types.js';

// new-work-rejected: operations started after the first signal were turned away cleanly: 503
// (rejected) or refused (the listener closed). Within `graceMs` of the signal (the target had not
// yet reacted) they may also be served ok. Never reset, timed out, closed mid-way, answered with
// another error, or left unfinished. No evidence when no signal was sent or nothing started after it.
export const newWorkRejected: CheckDefinition = {
  name: 'new-work-rejected',
  applies: (spec) => spec.expect.newWorkRejected !== undefined && spec.expect.newWorkRejected !== false,
  judge({ spec, events }) {
    const cfg = spec.expect.newWorkRejected;
    const graceMs = typeof cfg === 'object' ? cfg.graceMs : 50;
    const driver = typeof cfg === 'object' ? cfg.driver : undefined;
    const expected = { afterSignal: ['rejected', 'refused'], withinGraceAlso: 'ok', graceMs, ...(driver ? { driver } : {}) };
    const signal = firstSignal(events);
    if (!signal) return noEvidence('new-work-rejected', expected, 'no signal was sent');
    const S = signal.t;
    const { ops, summaries } = loadView(events, driver);
    const after = ops.filter((o) => o.startT >= S);
    const folded = summaries.filter((s) => s.fromT >= S);
    const outcomes: Record<string, number> = {};
    for (const o of after) tally(outcomes, o.outcome);
    for (const s of folded) for (const [k, n] of Object.entries(s.outcomes)) tally(outcomes, k, n ?? 0);
    const total = after.length + folded.reduce((n, s) => n + s.ops, 0);
    if (total === 0) return noEvidence('new-work-rejected', expected, `no operation started after ${signal.signal}, so nothing could be rejected; keep the load running through the shutdown`);
    const clean = (o: (typeof after)[number]): boolean =>
      o.outcome === 'rejected' || o.outcome === 'refused' || (o.outcome === 'ok' && o.startT - S <= graceMs);
    const bad = after.filter((o) => !clean(o));
    const foldedBad = folded.flatMap((s) =>
      Object.entries(s.outcomes).filter(([k, n]) => k !== 'rejected' && k !== 'refused' && (n ?? 0) > 0)
        .map(([k, n]) => ({ driver: s.driver, outcome: k, count: n, summarized: true, fromOffsetMs: r3(s.fromT - S), toOffsetMs: r3(s.toT - S) })),
    );
    const badCount = bad.length + foldedBad.reduce((n, f) => n + (f.count ?? 0), 0);
    const actual = { startedAfterSignal: total, outcomes, unclean: badCount };
    if (badCount === 0) {
      return pass('new-work-rejected', expected, actual, `all ${total} operations started after ${signal.signal} were rejected cleanly (${Object.entries(outcomes).map(([k, n]) => `${k} ${n}`).join(', ')})`);
    }
    const kinds: Record<string, number> = {};
    for (const o of bad) tally(kinds, o.outcome === 'ok' ? 'served' : o.outcome);
    for (const f of foldedBad) tally(kinds, f.outcome === 'ok' ? 'served' : f.outcome, f.count ?? 0);
    return fail('new-work-rejected', expected, actual,
      `${badCount} of ${total} operations started after ${signal.signal} were not rejected cleanly (${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(', ')})`,
      capDetails([...bad.map((o) => opDetail(o, S)), ...foldedBad]));
  },
};
