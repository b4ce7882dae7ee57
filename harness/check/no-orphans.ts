import { eventsOf, firstOf } from '../history/events.js';
import { fail, noEvidence, pass, type CheckDefinition } from './types.js';

// no-orphans: no process of the target's tree was alive after the leader exited. Survivors were
// killed by the harness and are listed (pid, parent, group, whether they escaped the group).
export const noOrphans: CheckDefinition = {
  name: 'no-orphans',
  applies: (spec) => spec.expect.noOrphans,
  judge({ events }) {
    const expected = { survivors: 0 };
    if (!firstOf(events, 'target:spawned')) return noEvidence('no-orphans', expected, 'the target never started');
    const sweep = firstOf(events, 'orphan:killed');
    if (!sweep) return noEvidence('no-orphans', expected, 'the process tree was not swept after the exit (the run ended early)');
    const found = eventsOf(events, 'orphan:found');
    if (found.length === 0) return pass('no-orphans', expected, { survivors: 0 }, 'no process outlived the target');
    const details = found.map((o) => ({ pid: o.pid, ppid: o.ppid, pgid: o.pgid, sid: o.sid, cmd: o.cmd, escapedGroup: o.escapedGroup }));
    const escaped = found.filter((o) => o.escapedGroup).length;
    return fail('no-orphans', expected, { survivors: found.length, stillAliveAfterKill: sweep.survivors.length },
      `${found.length} process${found.length === 1 ? '' : 'es'} outlived the target${escaped ? ` (${escaped} escaped its process group)` : ''}: ${found.map((o) => `${o.pid} ${o.cmd}`).join('; ').slice(0, 300)}; the harness killed ${found.length === 1 ? 'it' : 'them'}`,
      details);
  },
};
