import { HarnessError } from '../../errors.js';
import { createLoadDriver } from '../../load/index.js';
import { loadName } from '../../load/name.js';
import type { Step } from '../steps.js';
import { HOST, type RunContext } from './context.js';

// Creates the run's load drivers and warms them (a worker driver's thread loads its engine) while
// the target gets ready, so the load begins within milliseconds of ready, not after a worker's
// start-up (100-400 ms here, 1-4 s on a busy machine, which a strike at a fixed moment after
// ready missed). Stopped at teardown (a driver never started records nothing).
export const warmLoad: Step<RunContext> = {
  title: 'warm load',
  setup(ctx) {
    const { spec } = ctx;
    for (let i = 0; i < spec.load.length; i++) {
      const l = spec.load[i]!;
      const { name } = loadName(l, i);
      const driver = createLoadDriver(l, { history: ctx.history, clockOrigin: ctx.clock.origin.toString(), host: HOST, port: ctx.port, name, runDir: ctx.runDir, signal: ctx.abort.signal, processMarker: `${ctx.options.sessionMarker}${ctx.slot}~load/` });
      ctx.drivers.push(driver);
      driver.warm?.();
    }
  },
  async teardown(ctx) {
    for (const d of [...ctx.drivers].reverse()) await d.stop();
  },
};

// Starts each load driver in turn (each running once `start()` resolves); stopped at teardown.
export const load: Step<RunContext> = {
  title: 'load',
  races: { exit: true },
  async setup(ctx, signal) {
    for (const driver of ctx.drivers) {
      if (signal.aborted) return;
      await driver.start();
    }
  },
  async teardown(ctx) {
    for (const d of [...ctx.drivers].reverse()) await d.stop();
    // A load whose worker died before sealing its record: the run cannot be judged on it (fail closed).
    const lost = ctx.drivers.map((d) => d.incomplete?.()).find((m) => m !== undefined);
    if (lost && !ctx.outcome.error) {
      ctx.history.emit({ type: 'run:error', code: 'LOAD_RECORD_INCOMPLETE', message: lost, step: 'load' });
      ctx.outcome.error = new HarnessError('LOAD_RECORD_INCOMPLETE', lost);
    }
  },
};
