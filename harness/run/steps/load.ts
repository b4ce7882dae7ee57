import { HarnessError } from '../../errors.js';
import { createLoadDriver } from '../../load/index.js';
import { loadName } from '../../load/name.js';
import type { Step } from '../steps.js';
import { HOST, type RunContext } from './context.js';

// Starts each load driver in turn (each running once `start()` resolves); stopped at teardown.
export const load: Step<RunContext> = {
  title: 'load',
  races: { exit: true },
  async setup(ctx, signal) {
    const { spec } = ctx;
    for (let i = 0; i < spec.load.length; i++) {
      if (signal.aborted) return;
      const l = spec.load[i]!;
      const { name } = loadName(l, i);
      const driver = createLoadDriver(l, { history: ctx.history, clockOrigin: ctx.clock.origin.toString(), host: HOST, port: ctx.port, name, runDir: ctx.runDir, signal: ctx.abort.signal, processMarker: `${ctx.options.sessionMarker}${ctx.slot}~load/` });
      ctx.drivers.push(driver);
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
