import { acceptedBefore, acceptedConns, answered, capDetails, CLOSE_RACE_MS, closeCuts, loadView, notAcceptedHow, opDetail, PROBE_DRIVER, r3, tally, unansweredMs, type Op } from '../history/ops.js';
import { checkKit } from '../scenario/fields.js';
import { firstSignal, targetExit } from './evidence.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z, ms, driver } = checkKit;

// Operations turned away (refused or rejected) needed for a pass: one could be chance.
export const MIN_REJECTIONS = 2;

const kindsText = (kinds: Record<string, number>): string => Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(', ');

const newWorkRejectedFields = {
  newWorkRejected: z.union([z.boolean(), z.strictObject({ graceMs: ms.default(50).describe('Grace in ms after the first signal within which new work may still be served'), driver })]).optional().describe('new-work-rejected: work started after the signal is rejected (503) or refused, never reset, timed out or left hanging'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'new-work-rejected': typeof newWorkRejectedFields }
}

// new-work-rejected: work that arrived after the first signal was turned away cleanly: 503
// (rejected) or refused (the listener closed, or the target is gone). Within `graceMs` of the
// signal (the target had not yet reacted) it may also be served. Never reset, timed out, closed
// mid-way, answered with another error, or left unfinished.
// Evidence is the load's operations started after the signal plus the harness's own probes (fresh
// connections from the signal until the exit, and after it: load/rejection-probe.ts). An operation
// cut (reset or FIN, no answer) right before the port closed (the next operation to start was
// refused) on a connection the server never accepted (no answer ever came on it), having waited
// at most CLOSE_RACE_MS unanswered once established, raced the listener's close or the exit:
// reported, judged neither way. One that had waited longer was left hanging by a server that no
// longer accepted and then dropped with its backlog: a failure under that name (history/ops.ts
// closeCuts). A reset of a request on a connection the server had accepted (a keep-alive
// connection that carried an answer) is always a failure. A pass needs MIN_REJECTIONS operations
// turned away; without them (no port to probe, no load) the check has no evidence (`error`).
// Connects started before the signal that the server had not accepted at it (see drain) are new
// work too: served, refused or rejected counts as clean. One in the listen backlog by the kernel's
// view at the signal and then reset or closed is the server dropping its backlog (gunicorn's bug):
// a failure under that name, as is one still connecting at the signal that was then left waiting
// unanswered over CLOSE_RACE_MS before the reset. One still connecting at the signal that fails
// otherwise raced the listener's close: reported, judged neither way.
export const newWorkRejected = defineCheck({
  name: 'new-work-rejected',
  expect: newWorkRejectedFields,
  applies: (spec) => spec.expect.newWorkRejected !== undefined && spec.expect.newWorkRejected !== false,
  judge({ spec, events }) {
    const cfg = spec.expect.newWorkRejected;
    const graceMs = typeof cfg === 'object' ? cfg.graceMs : 50;
    const driver = typeof cfg === 'object' ? cfg.driver : undefined;
    const expected = { afterSignal: ['rejected', 'refused'], withinGraceAlso: 'ok', graceMs, minRejected: MIN_REJECTIONS, ...(driver ? { driver } : {}) };
    const signal = firstSignal(events);
    if (!signal) return noEvidence('new-work-rejected', expected, 'no signal was sent');
    const S = signal.t;
    const exitT = targetExit(events)?.t;

    // The load's operations (as before: per operation, and the folded counts).
    const { ops, summaries } = loadView(events, driver);
    const after = ops.filter((o) => o.startT >= S);
    const backlog = ops.filter((o) => o.startT < S && !acceptedBefore(o, S));
    // In the listen backlog by the kernel's view at the signal, then reset: the server dropped it.
    // Still connecting at the signal (its handshake not done, no kernel evidence that it waited):
    // a reset raced the listener's close; reported, judged neither way.
    const droppedKind = (o: Op): string => `dropped from the listen backlog (never accepted: ${o.outcome})`;
    // One still connecting at the signal whose connection was then established and left waiting
    // unanswered over CLOSE_RACE_MS before the reset sat in the backlog too: no race.
    const heldBefore = (o: Op): boolean => o.queued !== true && (o.outcome === 'reset' || o.outcome === 'closed') && !answered(o) && unansweredMs(o) > CLOSE_RACE_MS;
    const backlogBad = backlog.filter((o) => (o.queued === true && (o.outcome === 'reset' || o.outcome === 'closed' || o.outcome === 'http-error')) || heldBefore(o));
    const raced = (o: Op): boolean => o.queued !== true && o.outcome !== 'ok' && o.outcome !== 'refused' && o.outcome !== 'rejected';
    const folded = summaries.filter((s) => s.fromT >= S);
    const loadTotal = after.length + folded.reduce((n, s) => n + s.ops, 0);

    // The harness's probes, in order.
    const probes = loadView(events, PROBE_DRIVER).ops.filter((o) => o.startT >= S);
    // Cut by the close: reset or closed without an answer on a connection the server never
    // accepted, and the next operation to start after it ended (load or probe) was refused: it
    // raced the listener's close or the exit (it sat in the accept queue), it was not served. A
    // request on a connection the server had accepted (an earlier answer on it: a keep-alive
    // connection) and then reset is the server's fault, never excused. (no-reset counts every reset but the cut-by-the-close ones of new connections: history/ops.ts cutByClose.)
    const accepted = acceptedConns(ops);
    const all = [...after, ...probes].sort((a, b) => a.startT - b.startT);
    const { cut, held } = closeCuts(all, accepted);
    const heldKind = (o: Op): string => `unanswered over ${CLOSE_RACE_MS} ms (the server had stopped accepting), then ${o.outcome} at the close`;
    const label = (o: Op): string => (cut.has(o) ? `cut by the close (${o.outcome})` : held.has(o) ? heldKind(o) : o.outcome);
    const backlogOutcomes: Record<string, number> = {};
    for (const o of backlog) {
      const what = backlogBad.includes(o) ? droppedKind(o) : raced(o) ? `raced the close, not judged (${o.outcome})` : o.outcome;
      tally(backlogOutcomes, `${notAcceptedHow(o)}: ${what}`);
    }
    const phaseOf = (p: Op): 'alive' | 'afterExit' => (p.op === 'new-work after-exit' || (exitT !== undefined && p.startT >= exitT) ? 'afterExit' : 'alive');
    const probeOutcomes = { alive: {} as Record<string, number>, afterExit: {} as Record<string, number> };
    for (const p of probes) tally(probeOutcomes[phaseOf(p)], label(p));

    const turnedAway = (o: Op): boolean => o.outcome === 'rejected' || o.outcome === 'refused';
    const clean = (o: Op): boolean => turnedAway(o) || (o.outcome === 'ok' && o.startT - S <= graceMs);
    const bad = all.filter((o) => !clean(o) && !cut.has(o));
    const loadOutcomes: Record<string, number> = {};
    for (const o of after) tally(loadOutcomes, label(o));
    for (const s of folded) for (const [k, n] of Object.entries(s.outcomes)) tally(loadOutcomes, k, n ?? 0);
    const foldedBad = folded.flatMap((s) =>
      Object.entries(s.outcomes).filter(([k, n]) => k !== 'rejected' && k !== 'refused' && (n ?? 0) > 0)
        .map(([k, n]) => ({ driver: s.driver, outcome: k, count: n, summarized: true, fromOffsetMs: r3(s.fromT - S), toOffsetMs: r3(s.toT - S) })),
    );
    const rejected = after.filter(turnedAway).length + probes.filter(turnedAway).length + backlog.filter(turnedAway).length
      + folded.reduce((n, s) => n + (s.outcomes.rejected ?? 0) + (s.outcomes.refused ?? 0), 0);
    const badCount = bad.length + foldedBad.reduce((n, f) => n + (f.count ?? 0), 0) + backlogBad.length;
    const total = loadTotal + probes.length + backlog.length;
    const outcomes: Record<string, number> = {};
    for (const o of after) tally(outcomes, o.outcome);
    for (const s of folded) for (const [k, n] of Object.entries(s.outcomes)) tally(outcomes, k, n ?? 0);
    for (const p of probes) tally(outcomes, p.outcome);
    const actual = {
      startedAfterSignal: total, outcomes, unclean: badCount, turnedAway: rejected, cutByClose: cut.size, ...(held.size ? { heldThenDropped: held.size } : {}),
      load: { operations: loadTotal, outcomes: loadOutcomes },
      notAcceptedAtSignal: { operations: backlog.length, outcomes: backlogOutcomes },
      probes: { operations: probes.length, whileAlive: probeOutcomes.alive, afterExit: probeOutcomes.afterExit },
    };
    const judged = `${loadTotal} load operation${loadTotal === 1 ? '' : 's'}${loadTotal ? ` (${kindsText(loadOutcomes)})` : ''}`
      + ` and ${probes.length} harness probe${probes.length === 1 ? '' : 's'}`
      + (probes.length ? ` (while alive: ${kindsText(probeOutcomes.alive) || 'none'}; after the exit: ${kindsText(probeOutcomes.afterExit) || 'none'})` : '')
      + (backlog.length ? `, and ${backlog.length} connect${backlog.length === 1 ? '' : 's'} started before the signal that the server had not accepted (${kindsText(backlogOutcomes)})` : '');

    if (badCount > 0) {
      const kinds: Record<string, number> = {};
      for (const o of bad) tally(kinds, `${held.has(o) ? heldKind(o) : o.outcome === 'ok' ? 'served' : o.outcome}${o.driver === PROBE_DRIVER ? ' (probe)' : ''}`);
      for (const f of foldedBad) tally(kinds, f.outcome === 'ok' ? 'served' : f.outcome, f.count ?? 0);
      for (const o of backlogBad) tally(kinds, droppedKind(o));
      return fail('new-work-rejected', expected, actual,
        `${badCount} of ${total} operations of new work were not rejected cleanly (${kindsText(kinds)}); judged ${judged}`,
        capDetails([...backlogBad.map((o) => ({ ...opDetail(o, S), droppedFromBacklog: notAcceptedHow(o) })), ...bad.map((o) => (held.has(o) ? { ...opDetail(o, S), heldUnansweredMs: r3(unansweredMs(o)) } : opDetail(o, S))), ...foldedBad]));
    }
    if (rejected < MIN_REJECTIONS) {
      const why = probes.length === 0 ? 'the harness could not probe (no port: put {port} in the target\'s args or env)' : 'the probes were cut or served within the grace';
      return noEvidence('new-work-rejected', expected,
        `only ${rejected} operation${rejected === 1 ? ' was' : 's were'} turned away after ${signal.signal} (at least ${MIN_REJECTIONS} are needed): judged ${judged}; ${total === 0 ? 'nothing started after the signal, ' : ''}${why}`);
    }
    return pass('new-work-rejected', expected, actual,
      `new work after ${signal.signal} was turned away: ${rejected} operation${rejected === 1 ? '' : 's'} refused or rejected, none served after the ${graceMs} ms grace; judged ${judged}`);
  },
});
