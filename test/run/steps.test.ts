// The run's task runner (harness/run/steps.ts runSteps), on synthetic steps: teardowns registered
// before their setup and run in reverse, every teardown's error recorded, each setup raced against
// the target's exit, the deadline and the abort, the failure naming its step.
// Guards: the teardown registered before its setup. Checked: with `teardown.add` moved after the
// setup's await in runSteps, 'a setup that throws half-way, or loses its race, still gets its
// teardown' failed (the half-acquired resource was never released), and so did the exit, deadline,
// abort and 'stop' cases (each failing step's teardown missing).
import t from 'tap';
import { HarnessError, isHarnessError } from '../../harness/errors.js';
import { runSteps, type Deadline, type Step, type StepRace } from '../../harness/run/steps.js';

// A log the steps write to; `never` is a setup that waits forever (until its race ends it).
type Log = string[];
const never = (): Promise<void> => new Promise(() => {});

function step(log: Log, title: string, extra: Partial<Step<Log>> = {}): Step<Log> {
  return {
    title,
    setup: (l) => void l.push(`setup ${title}`),
    teardown: (l) => void l.push(`teardown ${title}`),
    ...extra,
  };
}

function race(extra: Partial<StepRace> = {}): StepRace {
  return { abort: new AbortController().signal, deadline: () => undefined, exited: () => undefined, ...extra };
}

t.test('setups in order, teardowns in reverse; a step without a teardown is skipped at teardown', async (t) => {
  const log: Log = [];
  const out = await runSteps([step(log, 'a'), step(log, 'b', { teardown: undefined }), step(log, 'c')], log, race());
  t.same(log, ['setup a', 'setup b', 'setup c', 'teardown c', 'teardown a']);
  t.same(out, { stopped: false, teardownErrors: [] }, 'no failure, no step named');
});

t.test('a setup that throws half-way, or loses its race, still gets its teardown; later steps never run', async (t) => {
  const log: Log = [];
  const boom = new HarnessError('LOAD_FAILED', 'half-way');
  const out = await runSteps([
    step(log, 'a'),
    step(log, 'b', { async setup(l) { l.push('b acquired half'); throw boom; } }),
    step(log, 'c'),
  ], log, race());
  t.same(log, ['setup a', 'b acquired half', 'teardown b', 'teardown a']);
  t.equal(out.error, boom, 'the setup\'s own error is the run\'s');
  t.equal(out.step, 'b');

  const hung: Log = [];
  const lost = await runSteps([step(hung, 'load', { races: { exit: true }, async setup(l) { l.push('load acquired half'); await never(); } })], hung, race({ exited: () => Promise.resolve('the target exited (code 3)') }));
  t.same(hung, ['load acquired half', 'teardown load']);
  t.equal(lost.step, 'load');
});

t.test('every teardown runs, and each one\'s error is recorded in the order they ran', async (t) => {
  const log: Log = [];
  const e1 = new Error('c failed');
  const e2 = new Error('a failed');
  const out = await runSteps([
    step(log, 'a', { teardown: () => { throw e2; } }),
    step(log, 'b'),
    step(log, 'c', { async teardown() { throw e1; } }),
  ], log, race());
  t.same(log, ['setup a', 'setup b', 'setup c', 'teardown b']);
  t.same(out.teardownErrors, [{ step: 'c', error: e1 }, { step: 'a', error: e2 }]);
  t.equal(out.error, undefined, 'a teardown error is not the steps\' failure: the caller reports it');
});

t.test('the target\'s exit ends a step that races it, naming the step and quoting the output', async (t) => {
  const log: Log = [];
  let exit!: (says: string) => void;
  const exited = new Promise<string>((resolve) => (exit = resolve));
  let stepSignal: AbortSignal | undefined;
  const promise = runSteps([
    step(log, 'target'),
    step(log, 'load', { races: { exit: true }, async setup(_, signal) { stepSignal = signal; exit('the target exited (code 3)'); await never(); } }),
    step(log, 'trigger'),
  ], log, race({ exited: () => exited, output: () => ['[stderr] fatal: no database'] }));
  const out = await promise;
  t.ok(isHarnessError(out.error, 'TARGET_EXITED_EARLY'));
  t.equal((out.error as Error).message, 'the target exited (code 3) during step "load".\nLast output:\n  [stderr] fatal: no database');
  t.equal(out.step, 'load');
  t.equal(stepSignal?.aborted, true, 'the losing setup is told to stop');
  t.same(log, ['setup target', 'teardown load', 'teardown target'], 'the trigger never ran');
});

t.test('a step that does not race the exit is not cut by it', async (t) => {
  const log: Log = [];
  const out = await runSteps([
    step(log, 'ready', { async setup(l) { await new Promise((r) => setImmediate(r)); l.push('ready done'); } }),
  ], log, race({ exited: () => Promise.resolve('the target exited (code 0)') }));
  t.same(out, { stopped: false, teardownErrors: [] });
  t.same(log, ['ready done', 'teardown ready']);
});

t.test('the deadline ends a setup, naming the step; the step\'s own deadline wins when earlier; the post-exit steps opt out', async (t) => {
  const runDeadline = (ms: number): (() => Deadline) => {
    const at = performance.now() + ms;
    return () => ({ at, code: 'RUN_TIMEOUT', hint: 'the run exceeded its 30 ms budget (timeoutMs): raise timeoutMs' });
  };
  const log: Log = [];
  const out = await runSteps([step(log, 'ready', { setup: never }), step(log, 'load')], log, race({ deadline: runDeadline(30) }));
  t.ok(isHarnessError(out.error, 'RUN_TIMEOUT'));
  t.equal((out.error as Error).message, 'step "ready" timed out: the run exceeded its 30 ms budget (timeoutMs): raise timeoutMs');
  t.equal(out.step, 'ready');
  t.same(log, ['teardown ready'], 'the load never started');

  const own = await runSteps([step([], 'trigger', {
    setup: never,
    deadline: () => ({ at: performance.now() + 20, code: 'TRIGGER_TIMEOUT', hint: 'the trigger never fired' }),
  })], [], race({ deadline: runDeadline(60_000) }));
  t.ok(isHarnessError(own.error, 'TRIGGER_TIMEOUT'));
  t.equal((own.error as Error).message, 'step "trigger" timed out: the trigger never fired');

  const capped = await runSteps([step([], 'trigger', {
    setup: never,
    deadline: () => ({ at: performance.now() + 60_000, code: 'TRIGGER_TIMEOUT', hint: 'the trigger never fired' }),
  })], [], race({ deadline: runDeadline(20) }));
  t.ok(isHarnessError(capped.error, 'RUN_TIMEOUT'), 'the run\'s deadline caps a longer one of the step');

  // A deadline already past: a step that races it fails, one that opts out finishes its work.
  const past = () => ({ at: performance.now() - 1, code: 'RUN_TIMEOUT' as const, hint: 'over' });
  const slow = (l: Log): Promise<void> => new Promise((r) => setTimeout(() => r(void l.push('swept')), 5));
  const cut = await runSteps([step([], 'orphans', { setup: slow })], [], race({ deadline: past }));
  t.ok(isHarnessError(cut.error, 'RUN_TIMEOUT'));
  const evidence: Log = [];
  const kept = await runSteps([step(evidence, 'orphans', { races: { deadline: false }, setup: slow })], evidence, race({ deadline: past }));
  t.equal(kept.error, undefined);
  t.same(evidence, ['swept', 'teardown orphans']);
});

t.test('an abort ends the running setup, naming the step; nothing runs after it', async (t) => {
  const log: Log = [];
  const abort = new AbortController();
  let stepSignal: AbortSignal | undefined;
  const out = await runSteps([
    step(log, 'target'),
    step(log, 'ready', { async setup(_, signal) { stepSignal = signal; abort.abort(); await never(); } }),
    step(log, 'load'),
  ], log, race({ abort: abort.signal }));
  t.ok(isHarnessError(out.error, 'INTERRUPTED'));
  t.equal((out.error as Error).message, 'the harness was interrupted during step "ready"');
  t.equal(out.step, 'ready');
  t.equal(stepSignal?.aborted, true);
  t.same(log, ['setup target', 'teardown ready', 'teardown target'], 'the load never started');

  // Aborted between two steps (by a setup that then finishes): the next step never starts.
  const between = new AbortController();
  const log2: Log = [];
  const out2 = await runSteps([step(log2, 'a', { setup: () => between.abort() }), step(log2, 'b')], log2, race({ abort: between.signal }));
  t.equal((out2.error as Error).message, 'the harness was interrupted before step "b"');
  t.equal(out2.step, 'b');
  t.same(log2, ['teardown a']);
});

t.test('\'stop\' ends the run without a failure; `failed` and `onError` see the failure before any teardown', async (t) => {
  const log: Log = [];
  const out = await runSteps([step(log, 'prerequisites', { setup: () => 'stop' }), step(log, 'prepare')], log, race());
  t.same(out, { stopped: true, teardownErrors: [] });
  t.same(log, ['teardown prerequisites']);

  const seen: Log = [];
  const original = new HarnessError('TARGET_NOT_READY', 'not ready');
  const mapped = new HarnessError('PORT_UNAVAILABLE', 'port held');
  const reported = new HarnessError('PORT_UNAVAILABLE', 'port held, reported');
  const failed = await runSteps([step(seen, 'ready', {
    setup: () => { throw original; },
    failed: (l, error) => { l.push(`failed ${(error as Error).message}`); return mapped; },
  })], seen, race({ onError: (error, title) => { seen.push(`onError ${title}: ${(error as Error).message}`); return reported; } }));
  t.same(seen, ['failed not ready', 'onError ready: port held', 'teardown ready']);
  t.equal(failed.error, reported);

  const throwing = await runSteps([step([], 'exit', { setup: () => { throw original; }, failed: () => { throw mapped; } })], [], race());
  t.equal(throwing.error, mapped, 'a hook that throws reports its own error; runSteps never rejects');
});
