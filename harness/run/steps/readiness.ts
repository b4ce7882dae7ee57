import { round3 } from '../../clock.js';
import { errorMessage, HarnessError, isHarnessError } from '../../errors.js';
import { describeReady, waitReady } from '../../target/ready.js';
import type { Step } from '../steps.js';
import { HOST, PORT_RETRIES, type RunContext } from './context.js';

// Waits for the target's readiness probe. The probe watches the target's death itself (one last
// look at its output, then TARGET_EXITED_EARLY), so the step does not race the exit; the run's
// deadline caps it (the runner's race). A failure is recorded as `target:not-ready`, and a target
// that could not bind its port (EADDRINUSE) asks for another attempt with other ports.
export const ready: Step<RunContext> = {
  title: 'ready',
  async setup(ctx, signal) {
    const { spec } = ctx;
    const launched = ctx.launched;
    await waitReady(spec.target.ready, {
      host: HOST, port: ctx.port, cwd: ctx.cwd, exited: launched.exited, signal, what: `target \`${[spec.target.command, ...spec.target.args].join(' ').slice(0, 120)}\``,
      logSeen: (re) => ctx.seenLines.some((l) => re.test(l.line.line)), lastLines: () => launched.lastLines(10),
      onLine: (listener) => {
        const l = (): void => listener();
        ctx.lineListeners.add(l);
        return () => ctx.lineListeners.delete(l);
      },
    });
    ctx.readyT = ctx.now();
    ctx.history.emit({ type: 'target:ready', t: ctx.readyT, probe: describeReady(spec.target.ready), readyMs: round3(ctx.readyT - launched.spawnT) });
  },
  failed(ctx, error) {
    const notReady = isHarnessError(error, 'TARGET_NOT_READY') || isHarnessError(error, 'TARGET_EXITED_EARLY');
    if (!notReady && !isHarnessError(error, 'RUN_TIMEOUT')) return error;
    const { spec, port, attempt } = ctx;
    ctx.history.emit({ type: 'target:not-ready', probe: describeReady(spec.target.ready), reason: errorMessage(error), timeoutMs: spec.target.ready?.timeoutMs ?? 0 });
    if (!notReady) return error;
    const clash = port !== undefined && ctx.launched.lastLines(50).some((l) => /EADDRINUSE|address already in use/i.test(l));
    if (clash) ctx.outcome.portClash = true;
    if (clash && attempt >= PORT_RETRIES) {
      return new HarnessError('PORT_UNAVAILABLE', `the target could not bind its port ${attempt} times (EADDRINUSE): does it ignore {port} and bind a fixed port that something else holds? Pass {port} in target.args or target.env.`, { cause: error });
    }
    return error;
  },
};
