import { HarnessError, type HarnessErrorCode } from '../errors.js';
import { Teardown } from './teardown.js';

// A moment (performance.now() ms) a step must be done by, and the error that says it was not.
export interface Deadline {
  at: number;
  code: HarnessErrorCode;
  // What ran out and how to fix it, e.g. "the run exceeded its 5000 ms budget (timeoutMs): raise timeoutMs".
  hint: string;
}

// One step of a run (the Playwright runner's Task): what it sets up, and how that is undone.
export interface Step<C> {
  title: string;
  // What the setup races besides the abort (always raced): `exit`, the target's exit (default
  // false: a step that does not wait on a live target); `deadline`, the run's deadline (default
  // true; false for the evidence gathered after the exit, whose waits carry their own caps).
  races?: { exit?: boolean; deadline?: boolean };
  // A deadline of the step's own; the run's deadline still caps it (the earlier one is raced).
  deadline?(ctx: C): Deadline | undefined;
  // Does the step's work. Returning 'stop' ends the run here without a failure (a skipped run).
  // `signal` is aborted when the run is interrupted or the step has lost its race: a setup still
  // running then stops acquiring (its teardown has run or is running).
  setup(ctx: C, signal: AbortSignal): Promise<void | 'stop'> | void | 'stop';
  // Undoes what the setup acquired, however far it got: registered before the setup starts.
  teardown?(ctx: C): unknown;
  // Records the step's own evidence of its failure (the setup's error or the race's), before any
  // teardown runs; returns the error to report (undefined keeps the one given).
  failed?(ctx: C, error: unknown): unknown;
}

// What every setup is raced against.
export interface StepRace {
  // The run's interruption: nothing runs after it.
  abort: AbortSignal;
  // The run's deadline, once it is known (read as each step starts).
  deadline(): Deadline | undefined;
  // The target's exit, once it is launched: resolves with how to say it ("the target exited (code 3)").
  exited(): Promise<string> | undefined;
  // Lines quoted under an exit-race failure (the target's last output).
  output?(): string[];
  // Told of the run's failure once, before the teardowns; returns the error to report.
  onError?(error: unknown, step: string): unknown;
}

export interface StepsOutcome {
  // The failure that ended the run, and the title of the step it ended in.
  error?: unknown;
  step?: string;
  // True when a step ended the run early without a failure ('stop').
  stopped: boolean;
  // Every teardown that threw, in the order they ran (the last registered first).
  teardownErrors: Array<{ step: string; error: unknown }>;
}

// Runs the steps in order, the first failure ending the run: each step's teardown is registered
// before its setup starts; every setup races the abort, the earlier of the run's and the step's
// deadline, and the target's exit where the step asks. Then the teardowns run in reverse order,
// each one's error recorded, none stopping the others. Never rejects.
export async function runSteps<C>(steps: readonly Step<C>[], ctx: C, race: StepRace): Promise<StepsOutcome> {
  const teardown = new Teardown();
  let failure: { error: unknown; step: string } | undefined;
  let stopped = false;
  for (const step of steps) {
    if (race.abort.aborted) {
      failure = { error: new HarnessError('INTERRUPTED', `the harness was interrupted before step "${step.title}"`), step: step.title };
      break;
    }
    if (step.teardown) teardown.add(step.title, () => step.teardown!(ctx));
    try {
      if ((await raceSetup(step, ctx, race)) === 'stop') {
        stopped = true;
        break;
      }
    } catch (error) {
      failure = { error, step: step.title };
      if (step.failed) failure.error = (await settle(() => step.failed!(ctx, error))) ?? error;
      break;
    }
  }
  if (failure && race.onError) failure.error = (await settle(() => race.onError!(failure!.error, failure!.step))) ?? failure.error;
  const teardownErrors = (await teardown.run()).map(({ name, error }) => ({ step: name, error }));
  return { ...failure, stopped, teardownErrors };
}

// A hook's result, or the error it threw (a hook that fails reports that failure instead).
async function settle(fn: () => unknown): Promise<unknown> {
  try {
    return await fn();
  } catch (error) {
    return error;
  }
}

// Runs one setup against the abort, its deadline and (when asked) the target's exit; rejects with
// the first of them, naming the step.
async function raceSetup<C>(step: Step<C>, ctx: C, race: StepRace): Promise<void | 'stop'> {
  const stepAbort = new AbortController();
  let lose!: (error: HarnessError) => void;
  const lost = new Promise<never>((_, reject) => {
    lose = (error) => {
      stepAbort.abort();
      reject(error);
    };
  });
  lost.catch(() => {});
  let done = false;
  const onAbort = (): void => lose(new HarnessError('INTERRUPTED', `the harness was interrupted during step "${step.title}"`));
  race.abort.addEventListener('abort', onAbort, { once: true });
  const deadline = earlier(step.races?.deadline === false ? undefined : race.deadline(), step.deadline?.(ctx));
  const timer = deadline ? setTimeout(() => lose(new HarnessError(deadline.code, `step "${step.title}" timed out: ${deadline.hint}`)), Math.max(0, deadline.at - performance.now())) : undefined;
  if (step.races?.exit) {
    void race.exited()?.then((says) => {
      if (done) return;
      const lines = race.output?.() ?? [];
      lose(new HarnessError('TARGET_EXITED_EARLY', `${says} during step "${step.title}".${lines.length ? `\nLast output:\n  ${lines.join('\n  ')}` : ''}`));
    });
  }
  const work = (async () => step.setup(ctx, stepAbort.signal))();
  // A setup that lost its race may still fail later: that failure is the race's, already reported.
  work.catch(() => {});
  try {
    return await Promise.race([work, lost]);
  } finally {
    done = true;
    clearTimeout(timer);
    race.abort.removeEventListener('abort', onAbort);
  }
}

// The earlier of two deadlines; the step's own on a tie (its error says more).
function earlier(run: Deadline | undefined, own: Deadline | undefined): Deadline | undefined {
  if (!run || !own) return own ?? run;
  return own.at <= run.at ? own : run;
}
