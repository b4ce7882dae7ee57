import { eventsOf } from '../history/events.js';
import { capDetails, r3 } from '../history/ops.js';
import { checkKit } from '../scenario/fields.js';
import { compileUserRegex } from '../scenario/regex.js';
import { firstSignal } from './evidence.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z, regex, driver } = checkKit;

const wsGoodbyeFields = {
  wsGoodbye: z.strictObject({ pattern: regex.describe('RE2 pattern of the goodbye message'), driver }).optional().describe('ws-goodbye: every client received a matching message before its close'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'ws-goodbye': typeof wsGoodbyeFields }
}

// ws-goodbye: every WebSocket client that connected received, after the first signal and before
// its close, a message matching `pattern` (the server's goodbye). No evidence without a signal or
// without a connected client.
export const wsGoodbye = defineCheck({
  name: 'ws-goodbye',
  expect: wsGoodbyeFields,
  applies: (spec) => spec.expect.wsGoodbye !== undefined,
  judge({ spec, events }) {
    const { pattern, driver } = spec.expect.wsGoodbye!;
    const expected = { pattern, ...(driver ? { driver } : {}) };
    const signal = firstSignal(events);
    if (!signal) return noEvidence('ws-goodbye', expected, 'no signal was sent');
    const S = signal.t;
    const mine = <T extends { driver: string }>(e: T): boolean => driver === undefined || e.driver === driver;
    const opens = eventsOf(events, 'ws:open').filter(mine);
    if (opens.length === 0) return noEvidence('ws-goodbye', expected, 'no WebSocket client ever connected');
    const re = compileUserRegex(pattern, 'expect.wsGoodbye.pattern');
    const closeT = new Map<string, number>();
    for (const c of eventsOf(events, 'ws:close').filter(mine)) if (!closeT.has(`${c.driver}\u0000${c.client}`)) closeT.set(`${c.driver}\u0000${c.client}`, c.t);
    const got = new Map<string, number>();
    for (const m of eventsOf(events, 'ws:message').filter(mine)) {
      const key = `${m.driver}\u0000${m.client}`;
      if (m.t < S || got.has(key) || !re.test(m.data)) continue;
      if (m.t <= (closeT.get(key) ?? Infinity)) got.set(key, m.t);
    }
    const missing = opens.filter((o) => !got.has(`${o.driver}\u0000${o.client}`));
    const actual = { clients: opens.length, gotGoodbye: opens.length - missing.length };
    if (missing.length === 0) {
      const last = Math.max(...got.values());
      return pass('ws-goodbye', expected, actual, `all ${opens.length} clients got a goodbye matching /${pattern}/, the last ${r3(last - S)} ms after ${signal.signal}`);
    }
    return fail('ws-goodbye', expected, actual, `${missing.length} of ${opens.length} clients closed without a message matching /${pattern}/ after ${signal.signal}`,
      capDetails(missing.map((o) => {
        const c = closeT.get(`${o.driver}\u0000${o.client}`);
        return { driver: o.driver, client: o.client, closeOffsetMs: c !== undefined ? r3(c - S) : null };
      })));
  },
});
