import { firstOf } from '../history/events.js';
import { checkKit } from '../scenario/fields.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z } = checkKit;

// A zombie seen in two scans this far apart was not being reaped (a reaping init takes well under
// a millisecond after SIGCHLD).
const UNREAPED_MS = 50;

const noZombiesFields = {
  noZombies: z.boolean().optional().describe('no-zombies: no dead child of the namespace\'s PID 1 is left unreaped; unset: on under `target.pid1`'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'no-zombies': typeof noZombiesFields }
}

// no-zombies: no dead child of the namespace's PID 1 stayed unreaped while the target ran. On by
// default under `target.pid1` (an app that is PID 1 without an init never reaps the orphans the
// kernel hands it); `expect.noZombies: false` turns it off, `true` asks for it.
export const noZombies = defineCheck({
  name: 'no-zombies',
  expect: noZombiesFields,
  applies: (spec) => spec.expect.noZombies ?? spec.target.pid1,
  judge({ events }) {
    const expected = { zombies: 0 };
    const summary = firstOf(events, 'zombies:summary');
    if (!summary) {
      return noEvidence('no-zombies', expected, firstOf(events, 'target:pid1') ? 'the zombie watch never reported (the run ended before the target exited)' : 'the target did not run as PID 1 of a namespace (target.pid1), so its zombies were not watched');
    }
    if (summary.scans < 1) return noEvidence('no-zombies', expected, 'the zombie watch never scanned');
    const unreaped = summary.zombies.filter((z) => z.scans >= 2 && z.lastT - z.firstT >= UNREAPED_MS);
    if (unreaped.length === 0) {
      return pass('no-zombies', expected, { zombies: 0, scans: summary.scans }, `${summary.scans} scans of PID 1's children while it ran: no zombie left unreaped`);
    }
    const list = unreaped.map((z) => `pid ${z.pid} ${z.cmd} (a zombie for at least ${Math.round(z.lastT - z.firstT)} ms)`).join('; ');
    return fail('no-zombies', expected, { zombies: unreaped.length, scans: summary.scans },
      `PID 1 (host pid ${summary.pid1}) left ${unreaped.length} dead child${unreaped.length === 1 ? '' : 'ren'} unreaped: ${list.slice(0, 300)}. An app that is PID 1 does not reap the orphans the kernel hands it: run it behind an init (target.init: tini, docker run --init)`,
      unreaped);
  },
});
