import type { History } from '../../history/writer.js';
import { snapshotFiles } from '../../observe/files.js';
import type { Container } from '../../target/containment.js';
import { planSteps, signalRest } from '../../inject/strike.js';
import { settleTree } from '../../target/settle.js';
import type { Step } from '../steps.js';
import type { RunContext } from './context.js';
import { strikeTarget } from './strike.js';

// Evidence before intervention: the tree is left to end by itself (the orphan grace; members dying
// of a SIGKILL already sent are awaited), the files are looked at, and only then does the harness
// kill what is left. None of these is cut by the run's budget (each wait has its own cap).

// Lets the tree settle after the leader's exit and records who exited, who was dying, who is left.
export const tree: Step<RunContext> = {
  title: 'tree',
  races: { deadline: false },
  async setup(ctx) {
    const { spec, history, launched } = ctx;
    ctx.tracker.stop();
    const grace = typeof spec.expect.noOrphans === 'object' ? spec.expect.noOrphans.withinMs : 0;
    const exitT = launched.exit?.t ?? ctx.now();
    const unit = unitStop(ctx);
    const settled = (ctx.settled = await settleTree({
      container: ctx.container, leaderPid: launched.pid, leaderExitT: exitT, graceMs: unit ? Math.max(grace, unit.deadline - exitT) : grace, now: ctx.now,
      ...(unit ? { atGraceEnd: unit.escalate } : {}),
    }));
    for (const e of settled.exited) history.emit({ type: 'orphan:exited', ...e, ...(unit ? { unitStop: true } : {}) });
    for (const d of settled.dying) history.emit({ type: 'orphan:dying', ...d });
  },
};

// strike.waitRestOnExit (systemd KillMode=control-group): the stop lasts until the whole tree has
// exited, or until the escalation's moment (the first signal's send + escalate.afterMs), when the
// escalation goes to what is left, recorded as the plan's escalation. Not when the harness ended
// the target itself, nor when nothing was sent or there is no escalation.
function unitStop(ctx: RunContext): { deadline: number; escalate: () => number[] } | undefined {
  const strike = ctx.spec.strike;
  const first = ctx.struck?.firstSentAt();
  if (!strike?.waitRestOnExit || strike.escalate === false || first === undefined || ctx.harnessStopping) return undefined;
  const esc = strike.escalate;
  const deadline = first + esc.afterMs;
  const deliver = esc.deliver ?? 'tree';
  return {
    deadline,
    escalate: () => {
      const pids = signalRest({
        target: strikeTarget(ctx), history: ctx.history, signal: esc.signal, deliver, step: planSteps(strike).length, intendedT: deadline,
        reason: `KillMode=control-group: ${esc.signal} to what is left ${esc.afterMs} ms after the first signal`,
      });
      return esc.signal === 'SIGKILL' ? pids : [];
    },
  };
}

// Looks at the files the expectations name, before anything left of the tree is killed.
export const files: Step<RunContext> = {
  title: 'files',
  races: { deadline: false },
  setup({ spec, history, observer, filesDir, harnessStopping }) {
    observer.poll();
    const afterHarnessKill = harnessStopping ? { afterHarnessKill: true } : {};
    if (spec.expect.filesAbsent?.length) {
      history.emit({ type: 'files:snapshot', purpose: 'absent', globs: spec.expect.filesAbsent, ...snapshotFiles(filesDir, spec.expect.filesAbsent, false), ...afterHarnessKill });
    }
    if (spec.expect.filesIntact?.length) {
      const globs = spec.expect.filesIntact.map((f) => (typeof f === 'string' ? f : f.path));
      history.emit({ type: 'files:snapshot', purpose: 'intact', globs, ...snapshotFiles(filesDir, globs, true), ...afterHarnessKill });
    }
  },
};

// Reports the orphans and kills what is left of the target's tree.
export const orphans: Step<RunContext> = {
  title: 'orphans',
  races: { deadline: false },
  async setup({ container, settled, launched, history }) {
    await sweepOrphans(container, settled?.orphans ?? [], launched.pgid, history);
  },
};

// Reports the orphans (found by settleTree, nothing done to them yet), then kills the container
// and verifies it is empty: "killed" is said only when nothing of it is left.
export async function sweepOrphans(container: Container, orphans: Array<{ pid: number; ppid: number; pgid: number; sid: number; cmd: string; livedMs: number }>, leaderPgid: number, history: History, source?: string): Promise<void> {
  for (const o of orphans) history.emit({ type: 'orphan:found', ...o, escapedGroup: o.pgid !== leaderPgid, ...(source ? { source } : {}) });
  const left = container.members();
  const { survivors, verified } = left.length ? await container.kill() : { survivors: [], verified: true };
  history.emit({ type: 'orphan:killed', pids: orphans.map((o) => o.pid), survivors, verified });
}
