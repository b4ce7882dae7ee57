import { eventsOf } from '../history/events.js';
import { capDetails, r3, tally } from '../history/ops.js';
import { checkKit } from '../scenario/fields.js';
import { firstSignal } from './evidence.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z, driver } = checkKit;

const wsCloseCodesFields = {
  wsCloseCodes: z.strictObject({ codes: z.array(z.number().int()).min(1).default([1001]).describe('Close codes that pass'), driver }).optional().describe('ws-close-codes: every WebSocket client got one of these close codes (1006 fails)'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'ws-close-codes': typeof wsCloseCodesFields }
}

// ws-close-codes: every WebSocket client that connected (ws and browser drivers) was closed by
// the server with a code in `codes` (default [1001] going away). Listed as failures: other codes
// (1006 = the connection died without a close frame), clients the harness had to close itself,
// clients never closed. No evidence when no client ever connected.
export const wsCloseCodes = defineCheck({
  name: 'ws-close-codes',
  expect: wsCloseCodesFields,
  applies: (spec) => spec.expect.wsCloseCodes !== undefined,
  judge({ spec, events }) {
    const { codes, driver } = spec.expect.wsCloseCodes!;
    const expected = { codes, ...(driver ? { driver } : {}) };
    const S = firstSignal(events)?.t;
    const mine = <T extends { driver: string }>(e: T): boolean => driver === undefined || e.driver === driver;
    const opens = eventsOf(events, 'ws:open').filter(mine);
    if (opens.length === 0) return noEvidence('ws-close-codes', expected, 'no WebSocket client ever connected');
    const closes = new Map<string, (typeof events)[number] & { type: 'ws:close' }>();
    for (const c of eventsOf(events, 'ws:close').filter(mine)) if (!closes.has(`${c.driver}\u0000${c.client}`)) closes.set(`${c.driver}\u0000${c.client}`, c);
    const got: Record<string, number> = {};
    const failures: Array<Record<string, unknown>> = [];
    for (const o of opens) {
      const c = closes.get(`${o.driver}\u0000${o.client}`);
      const at = (t: number): Record<string, number> => (S !== undefined ? { offsetMs: r3(t - S) } : { t });
      if (!c) {
        tally(got, 'never closed');
        failures.push({ driver: o.driver, client: o.client, code: null, problem: 'never closed (still open when the load stopped)' });
      } else if (c.byClient) {
        tally(got, 'closed by the harness');
        failures.push({ driver: o.driver, client: o.client, code: c.code, reason: c.reason, problem: 'the server never closed it; the harness did', ...at(c.t) });
      } else {
        tally(got, String(c.code));
        if (!codes.includes(c.code)) failures.push({ driver: o.driver, client: o.client, code: c.code, reason: c.reason, ...(c.code === 1006 ? { problem: 'abnormal closure: no close frame' } : {}), ...at(c.t) });
      }
    }
    const actual = { clients: opens.length, codes: got };
    const summary = Object.entries(got).map(([k, n]) => `${k} x${n}`).join(', ');
    if (failures.length === 0) return pass('ws-close-codes', expected, actual, `all ${opens.length} clients closed with ${summary}`);
    return fail('ws-close-codes', expected, actual, `${failures.length} of ${opens.length} clients did not get a close code in [${codes.join(', ')}]: ${summary}`, capDetails(failures));
  },
});
