import fs from 'node:fs';
import path from 'node:path';
import { errorMessage, HarnessError, isHarnessError } from '../errors.js';
import { liveLoad } from '../load/counters.js';
import { phaseAfter, type RunPhase } from '../report/progress.js';
import type { RunResult } from '../report/types.js';
import { runDirName, type RunPlan } from './plan.js';
import { runSteps, type Step, type StepRace } from './steps.js';
import { PORT_RETRIES, RunContext, type AttemptOutcome, type RunOptions } from './steps/context.js';
import { files, orphans, tree } from './steps/evidence.js';
import { exit, settle } from './steps/exit.js';
import { inspect } from './steps/inspect.js';
import { load, warmLoad } from './steps/load.js';
import { ready } from './steps/readiness.js';
import { containers, interrupt, output, prepare, prerequisites } from './steps/resources.js';
import { resultOf } from './steps/result.js';
import { services } from './steps/services.js';
import { stillRunning, strike, trigger } from './steps/strike.js';
import { observer, target, tracker } from './steps/target.js';

export type { RunOptions } from './steps/context.js';

// One attempt of a run, step by step (harness/run/steps.ts runs them: each teardown registered
// before its setup, every setup raced against the abort, the deadline and, where it asks, the
// target's exit; the teardowns in reverse order). A step that fails ends the attempt.
const STEPS: readonly Step<RunContext>[] = [
  output, // (teardown only, the last to run) the target's last output, awaited before the history closes
  interrupt, // the harness's interruption aborts the run
  containers, // (teardown only) every container the run made: killed, verified, removed
  prerequisites, // missing commands, no PID namespace for target.pid1: skipped, saying why
  prepare, // temp dir, ports, the filled spec (spec.json), the run's deadline
  services, // launched and ready, one by one
  target, // launched in its container; its exit recorded the moment it is seen
  warmLoad, // the load drivers created, their worker threads loading while the target gets ready
  tracker, // every descendant of the target
  observer, // the files the expectations and a file trigger name
  ready, // the readiness probe
  load, // every load driver started
  trigger, // armed, and fired
  strike, // the signal plan sent from the strike thread
  stillRunning, // expect.stillRunning: alive for forMs, then ended by the harness
  exit, // the target's exit, within the run's budget
  settle, // the strike's, the rejection probe's and the load's last reports
  tree, // the tree left to end by itself (the orphan grace)
  files, // the files looked at
  orphans, // what is left of the tree reported and killed
  inspect, // the inspect commands
];

// Executes one run and judges it. Never rejects: every failure becomes a verdict (`error` with
// the reason), and every process the run started is gone when it resolves.
export async function executeRun(plan: RunPlan, options: RunOptions): Promise<RunResult> {
  const runDirRel = path.join('runs', `${runDirName(plan.id)}${options.retry ? `~retry${options.retry}` : ''}`);
  const runDir = path.join(options.outDir, runDirRel);
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
  const started = performance.now();
  const startedAt = new Date().toISOString();
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptRun(plan, options, runDir, attempt);
    // A target that could not bind its port gets another attempt, with other ports.
    if (outcome.portClash && attempt < PORT_RETRIES && !options.signal.aborted) continue;
    return resultOf(plan, outcome, { runDirRel, started, startedAt, attempt });
  }
}

// Runs the steps once, recording the history from `run:start` to `run:end`: the failure that
// ended the steps (`run:error`, naming the step) and every teardown that failed.
async function attemptRun(plan: RunPlan, options: RunOptions, runDir: string, attempt: number): Promise<AttemptOutcome> {
  const ctx = new RunContext(plan, options, runDir, attempt);
  const { history, abort, clock } = ctx;
  if (options.onPhase) {
    let phase: RunPhase | undefined;
    history.subscribe((e) => {
      const next = phaseAfter(e, phase);
      if (next && next !== phase) options.onPhase!((phase = next), () => liveLoad(ctx.drivers.flatMap((d) => (d.counters ? [d.counters] : []))));
    });
  }
  history.emit({ type: 'run:start', runId: plan.id, scenario: plan.scenario, params: plan.params, seed: plan.seed, originWall: clock.originWall, harnessPid: process.pid, containment: options.containment.level });
  const race: StepRace = {
    abort: abort.signal,
    deadline: () => ctx.deadline === undefined ? undefined : { at: ctx.deadline, code: 'RUN_TIMEOUT', hint: `the run exceeded its ${ctx.spec.timeoutMs} ms budget (timeoutMs): raise timeoutMs` },
    exited: () => ctx.target?.exited.then((x) => `the target exited (${x.signal ?? `code ${x.code}`})`),
    output: () => ctx.target?.lastLines(8) ?? [],
    onError(error, step) {
      const e = abort.signal.aborted && !isHarnessError(error) ? new HarnessError('INTERRUPTED', 'the harness was interrupted during this run', { cause: error }) : error;
      history.emit({ type: 'run:error', code: isHarnessError(e) ? e.code : 'INTERNAL', message: errorMessage(e), step });
      if (isHarnessError(e, 'INTERRUPTED')) history.emit({ type: 'harness:stop', reason: 'interrupted' });
      return e;
    },
  };
  const done = await runSteps(STEPS, ctx, race);
  // A teardown that failed may have left something behind: recorded, and the run is an error.
  const teardownFailures = done.teardownErrors.map(({ step, error }) => new HarnessError('TEARDOWN_FAILED', `the teardown of step "${step}" failed: ${errorMessage(error)}`, { cause: error }));
  for (const [i, e] of teardownFailures.entries()) history.emit({ type: 'run:error', code: e.code, message: e.message, step: done.teardownErrors[i]!.step });
  history.emit({ type: 'run:end' });
  history.close();
  const error = done.error ?? teardownFailures[0];
  return error === undefined ? ctx.outcome : { ...ctx.outcome, error };
}
