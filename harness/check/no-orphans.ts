import { eventsOf, firstOf } from '../history/events.js';
import { checkKit } from '../scenario/fields.js';
import { cutWords, placementText } from './placement.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z, ms } = checkKit;

const noOrphansFields = {
  noOrphans: z.union([z.boolean(), z.strictObject({ withinMs: z.number().int().min(0).max(60_000).describe('Grace in ms after the leader\'s exit for the rest of the tree to exit by itself') })]).default(true).describe('no-orphans: no process of the target\'s tree outlives its leader (`{ withinMs }`: beyond a grace); those a SIGKILL of the strike hit are awaited, never orphans'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'no-orphans': typeof noOrphansFields }
}

// no-orphans: no process of the target's tree (nor of an inspect command) was alive after its
// leader exited, beyond the `noOrphans.withinMs` grace. Members dying of a SIGKILL the strike or
// the escalation sent are awaited and do not count. Survivors are listed (pid, parent, group,
// whether they left the group and who put them where, how long they had outlived the leader), and
// the message says whether the harness's kill was verified. Under the `marker` containment the message says that
// its guarantee is weaker.
export const noOrphans = defineCheck({
  name: 'no-orphans',
  expect: noOrphansFields,
  applies: (spec) => spec.expect.noOrphans !== false,
  judge({ spec, events }) {
    const withinMs = typeof spec.expect.noOrphans === 'object' ? spec.expect.noOrphans.withinMs : 0;
    const expected = withinMs ? { survivors: 0, withinMs } : { survivors: 0 };
    if (!firstOf(events, 'target:spawned')) return noEvidence('no-orphans', expected, 'the target never started');
    const sweeps = eventsOf(events, 'orphan:killed');
    if (!sweeps.length) return noEvidence('no-orphans', expected, 'the process tree was not swept after the exit (the run ended early)');
    const level = firstOf(events, 'run:start')?.containment;
    const weak = level === 'marker' ? ' (containment: marker — a process that leaves the process group and drops SHUTDOWN_DRILL_RUN from its environment is not seen; run as root on Linux for a cgroup)' : '';
    const exited = eventsOf(events, 'orphan:exited');
    const dying = eventsOf(events, 'orphan:dying');
    const notes = [
      exited.length ? `${exited.length} exited by themselves ${exited.some((e) => e.unitStop) ? 'while the stop waited for the whole tree (strike.waitRestOnExit)' : `within the ${withinMs} ms grace`} (outlived the leader by ${exited.map((e) => `${e.livedMs} ms`).join(', ')})` : '',
      dying.length ? `${dying.length} already exiting (of a SIGKILL already sent, or on their own) were awaited` : '',
    ].filter(Boolean).join('; ');
    const found = eventsOf(events, 'orphan:found');
    if (found.length === 0) return pass('no-orphans', expected, { survivors: 0, ...(exited.length ? { exitedWithinGrace: exited.length } : {}) }, `no process outlived the target${notes ? `; ${notes}` : ''}${weak}`);
    const details = found.map((o) => ({ pid: o.pid, ppid: o.ppid, pgid: o.pgid, sid: o.sid, cmd: o.cmd, escapedGroup: o.escapedGroup, ...(o.escapedGroup && !o.source ? { placement: placementText(o, events) } : {}), ...(o.source ? { source: o.source } : {}), ...(o.livedMs !== undefined ? { livedMs: o.livedMs } : {}) }));
    const escaped = found.filter((o) => o.escapedGroup && !o.source).length;
    const fromInspect = found.filter((o) => o.source).length;
    const stillAlive = sweeps.flatMap((s) => s.survivors);
    const unverified = sweeps.some((s) => s.verified === false);
    const n = found.length;
    const them = n === 1 ? 'it' : 'them';
    const outcome = stillAlive.length ? `the harness's kill left ${stillAlive.length} alive: ${stillAlive.join(', ')}`
      : unverified ? `the harness tried to kill ${them}, without proof that ${n === 1 ? 'it is' : 'they are'} gone`
        : sweeps.some((s) => s.verified) ? `the harness killed ${them} (verified: none left)` : `the harness killed ${them}`;
    return fail('no-orphans', expected, { survivors: n, stillAliveAfterKill: stillAlive.length },
      `${n} process${n === 1 ? '' : 'es'} outlived ${fromInspect === n ? 'an inspect command' : 'the target'}${withinMs ? ` by more than ${withinMs} ms` : ''}${escaped ? ` (${escaped} outside the target's process group)` : ''}${fromInspect && fromInspect < n ? ` (${fromInspect} left by inspect commands)` : ''}: ${cutWords(found.map((o) => `${o.pid} ${cutWords(o.cmd, 80)}${o.escapedGroup && !o.source ? ` (${placementText(o, events)})` : ''}`).join('; '), 600)}; ${outcome}${notes ? `; ${notes}` : ''}${weak}`,
      details);
  },
});
