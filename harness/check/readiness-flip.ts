import { eventsOf } from '../history/events.js';
import { is2xx } from '../history/query.js';
import { offsetText, r3 } from '../history/ops.js';
import { checkKit } from '../scenario/fields.js';
import { firstSignal } from './evidence.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z, ms, driver } = checkKit;

const readinessFlipFields = {
  readinessFlip: z.strictObject({ withinMs: ms.describe('The probe must answer non-2xx within this many ms of the first signal'), driver }).optional().describe('readiness-flip: the `probe` load turns not-ready after the signal, before the listener closes'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'readiness-flip': typeof readinessFlipFields }
}

// readiness-flip: after the first signal the readiness probe answered non-2xx within `withinMs`,
// and did so before the listener closed (before the first refused probe): a load balancer must
// see "not ready" while the server still answers. The flip time is when the first non-2xx answer
// arrived (probe precision: everyMs). No evidence without a signal, or when the probe never
// answered 2xx before the signal (it was never seen ready).
export const readinessFlip = defineCheck({
  name: 'readiness-flip',
  expect: readinessFlipFields,
  applies: (spec) => spec.expect.readinessFlip !== undefined,
  judge({ spec, events }) {
    const { withinMs, driver } = spec.expect.readinessFlip!;
    const expected = { notReadyWithinMs: withinMs, beforeListenerCloses: true, ...(driver ? { driver } : {}) };
    const signal = firstSignal(events);
    if (!signal) return noEvidence('readiness-flip', expected, 'no signal was sent');
    const S = signal.t;
    const probes = eventsOf(events, 'probe:status').filter((e) => driver === undefined || e.driver === driver);
    if (probes.length === 0) return noEvidence('readiness-flip', expected, 'no probe answer was recorded; add a `probe` load on the readiness path');
    const before = probes.filter((p) => p.t < S);
    if (!before.some((p) => is2xx(p.status))) {
      const last = before.at(-1);
      return noEvidence('readiness-flip', expected, `the probe never answered 2xx before ${signal.signal}${last ? ` (last: ${last.status ?? last.error})` : ''}, so it was never seen ready`);
    }
    const after = probes.filter((p) => p.t >= S);
    const flip = after.find((p) => p.status !== null && !is2xx(p.status));
    const refused = after.find((p) => p.status === null && p.error === 'ECONNREFUSED');
    const lastReady = [...after].reverse().find((p) => is2xx(p.status));
    const actual = {
      notReadyAfterMs: flip ? r3(flip.t - S) : null, status: flip?.status ?? null,
      listenerClosedAfterMs: refused ? r3(refused.t - S) : null, lastReadyAfterMs: lastReady ? r3(lastReady.t - S) : null,
      probesAfterSignal: after.length,
    };
    if (!flip) {
      if (refused) return fail('readiness-flip', expected, actual, `the probe never answered not-ready: the listener closed (refused ${offsetText(refused.t - S)} after ${signal.signal}) with readiness still ${lastReady ? `2xx at ${offsetText(lastReady.t - S)}` : 'unflipped'}`);
      return fail('readiness-flip', expected, actual, `readiness never turned non-2xx after ${signal.signal} (${after.length} probes${lastReady ? `, last 2xx ${offsetText(lastReady.t - S)}` : ''})`);
    }
    if (refused && refused.t < flip.t) {
      return fail('readiness-flip', expected, actual, `the listener closed (refused ${offsetText(refused.t - S)}) before readiness flipped (${flip.status} ${offsetText(flip.t - S)})`);
    }
    const ms = flip.t - S;
    if (ms > withinMs) return fail('readiness-flip', expected, actual, `readiness turned ${flip.status} ${offsetText(ms)} after ${signal.signal}, later than ${withinMs} ms`);
    return pass('readiness-flip', expected, actual, `readiness turned ${flip.status} ${offsetText(ms)} after ${signal.signal}${refused ? `, the listener closed ${offsetText(refused.t - S)}` : ''}`);
  },
});
