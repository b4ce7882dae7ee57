import { acceptedConns, capDetails, cutByClose, loadView, opDetail, PROBE_DRIVER, r3 } from '../history/ops.js';
import { eventsOf } from '../history/events.js';
import { checkKit } from '../scenario/fields.js';
import { firstSignal, msText } from './evidence.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z, driver } = checkKit;

const noResetFields = {
  noReset: z.union([z.boolean(), z.strictObject({ driver })]).optional().describe('no-reset: no load operation was reset (the keep-alive reuse race)'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'no-reset': typeof noResetFields }
}

// no-reset: no operation ended with `reset` (ECONNRESET, EPIPE, socket hang up: the keep-alive
// reuse race, sockets destroyed mid-request), and no client connection was closed by a RST.
// One exception, reported and not counted: new work (started after the first signal) on a fresh
// connection the server never accepted, reset as the listener closed at most CLOSE_RACE_MS after
// it was established (the next operation to start was refused: history/ops.ts cutByClose; one
// that had waited longer was dropped by a server that had stopped accepting, and counts). The
// kernel resets a connection still in the accept queue when the listener closes; a server cannot
// close its listener without that window, and no request of it was ever served or cut. Whether
// the server dropped work it should have taken is new-work-rejected's question (which judges a
// connect queued at the signal and then reset as the backlog drop). No evidence when the history
// has no operation and no connection at all.
export const noReset = defineCheck({
  name: 'no-reset',
  expect: noResetFields,
  applies: (spec) => spec.expect.noReset !== undefined && spec.expect.noReset !== false,
  judge({ spec, events }) {
    const cfg = spec.expect.noReset;
    const driver = typeof cfg === 'object' ? cfg.driver : undefined;
    const expected = { resets: 0, ...(driver ? { driver } : {}) };
    const S = firstSignal(events)?.t;
    const { ops, summaries } = loadView(events, driver);
    const conns = eventsOf(events, 'conn:close').filter((e) => driver === undefined || e.driver === driver);
    const total = ops.length + summaries.reduce((n, s) => n + s.ops, 0);
    if (total === 0 && conns.length === 0) return noEvidence('no-reset', expected, 'the history holds no operation and no connection');
    // New connections reset as the listener closed (see above): reported, not counted.
    const probes = S !== undefined ? loadView(events, PROBE_DRIVER).ops.filter((o) => o.startT >= S) : [];
    const raced = S === undefined ? new Set<(typeof ops)[number]>() : new Set([...cutByClose([...ops.filter((o) => o.startT >= S), ...probes], acceptedConns(ops))].filter((o) => o.driver !== PROBE_DRIVER && o.outcome === 'reset'));
    const racedConns = new Set([...raced].filter((o) => o.conn !== undefined).map((o) => `${o.driver}\u0000${o.conn}`));
    const resets = ops.filter((o) => o.outcome === 'reset' && !raced.has(o));
    const foldedResets = summaries.filter((s) => (s.outcomes.reset ?? 0) > 0).map((s) => ({ driver: s.driver, outcome: 'reset', count: s.outcomes.reset, summarized: true, fromT: s.fromT, toT: s.toT }));
    const connResets = conns.filter((c) => c.how === 'reset' && !racedConns.has(`${c.driver}\u0000${c.conn}`));
    const n = resets.length + foldedResets.reduce((k, f) => k + (f.count ?? 0), 0) + connResets.length;
    const actual = { resets: n, operations: total, connectionResets: connResets.length, ...(raced.size ? { racedListenerClose: raced.size } : {}) };
    const racedText = raced.size ? `; not counted: ${raced.size} new connection(s) reset as the listener closed, never accepted (${[...raced].map((o) => o.id).slice(0, 5).join(', ')}${raced.size > 5 ? ', ...' : ''}: see new-work-rejected)` : '';
    if (n === 0) return pass('no-reset', expected, actual, `no reset in ${total} operations and ${conns.length} connection closes${racedText}`);
    const first = resets[0];
    return fail('no-reset', expected, actual,
      `${n} reset(s)${first ? `; first: ${first.driver} ${first.id} ${first.error ?? ''}${S !== undefined ? ` started ${msText(first.startT - S)} from the signal` : ''}` : ''}${racedText}`,
      capDetails([
        ...resets.map((o) => opDetail(o, S)),
        ...foldedResets,
        ...connResets.map((c) => ({ driver: c.driver, conn: c.conn, how: 'reset', ...(c.error ? { error: c.error } : {}), ...(S !== undefined ? { offsetMs: r3(c.t - S) } : { t: c.t }) })),
      ]));
  },
});
