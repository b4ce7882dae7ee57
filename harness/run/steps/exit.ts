import { HarnessError, isHarnessError } from '../../errors.js';
import type { Step } from '../steps.js';
import { sleepMs, type RunContext } from './context.js';
import { stopGracefully } from './target.js';

// Waits for the target's exit (it may be a CLI that ends by itself), raced by the runner against
// the run's deadline: past it, the harness says so, kills the target and the run is RUN_TIMEOUT.
export const exit: Step<RunContext> = {
  title: 'exit',
  async setup(ctx) {
    await ctx.launched.exited;
  },
  async failed(ctx, error) {
    if (!isHarnessError(error, 'RUN_TIMEOUT')) return error;
    ctx.history.emit({ type: 'harness:stop', reason: 'timeout' });
    ctx.harnessStopping = true;
    await stopGracefully(ctx.launched, ctx.container, ctx.options, 0);
    return new HarnessError('RUN_TIMEOUT', `step "exit" timed out: the run exceeded its ${ctx.spec.timeoutMs} ms budget (timeoutMs) and the target was killed; raise timeoutMs or add strike.escalate`);
  },
};

// After the exit: the strike thread's last report (an escalation sent just before the exit), the
// rejection probe's last connections, the load's closes; each wait capped, none cut by the budget.
export const settle: Step<RunContext> = {
  title: 'settle',
  races: { deadline: false },
  async setup({ struck, prober, drivers }, signal) {
    if (struck) await Promise.race([struck.settled, sleepMs(1_000)]);
    if (prober) await Promise.race([prober.finished(), sleepMs(3_000)]);
    if (drivers.length) await Promise.race([Promise.all(drivers.map((d) => d.done.catch(() => {}))), sleepMs(2_000, signal)]);
  },
};
