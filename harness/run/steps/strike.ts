import { execa } from 'execa';
import { HarnessError } from '../../errors.js';
import type { DeliveryTarget } from '../../inject/signal.js';
import { executeStrike, firstStepOf, type HookResult } from '../../inject/strike.js';
import { armTrigger } from '../../inject/triggers.js';
import { counterBell } from '../../load/counters.js';
import { startRejectionProbe } from '../../load/rejection-probe.js';
import { joinArgv, type Container } from '../../target/containment.js';
import { MARKER_ENV } from '../../target/tree.js';
import type { Step } from '../steps.js';
import { HOST, sleepMs, type RunContext } from './context.js';
import { stopGracefully } from './target.js';

// Arms the strike's trigger and waits for it to fire, racing the target's exit; its own deadline
// is `strike.at.timeoutMs` (TRIGGER_TIMEOUT), the run's still caps it.
export const trigger: Step<RunContext> = {
  title: 'trigger',
  races: { exit: true },
  deadline: ({ spec }) => spec.strike && {
    at: performance.now() + (spec.strike.at.timeoutMs ?? spec.timeoutMs), code: 'TRIGGER_TIMEOUT',
    hint: 'the trigger never fired: check strike.at, or raise strike.at.timeoutMs',
  },
  async setup(ctx, signal) {
    const { spec, history } = ctx;
    if (!spec.strike) return;
    history.emit({ type: 'trigger:armed', trigger: JSON.stringify(spec.strike.at) });
    // Count triggers watch the load's shared counters and send the first step from the strike thread.
    const first = firstStepOf(spec.strike);
    const done = new AbortController();
    try {
      ctx.fired = await armTrigger(spec.strike.at, {
        history, now: ctx.now, spawnT: ctx.launched.spawnT, readyT: ctx.readyT, seed: ctx.plan.seed, cwd: ctx.filesDir, load: spec.load, signal: AbortSignal.any([signal, done.signal]),
        counters: new Map(ctx.drivers.flatMap((d) => (d.counters ? [[d.name, d.counters] as const] : []))), bell: counterBell(),
        ...(first ? { strikeThread: { origin: ctx.clock.origin.toString(), signal: first.signal, deliver: first.deliver, afterMs: first.afterMs, target: strikeTarget(ctx), ...(snapshotPort(ctx) !== undefined ? { snapshotPort: snapshotPort(ctx)! } : {}) } } : {}),
        onLine: (listener) => {
          ctx.lineListeners.add(listener);
          for (const l of [...ctx.seenLines]) if (ctx.lineListeners.has(listener)) listener(l.stream, l.line);
          return () => ctx.lineListeners.delete(listener);
        },
      });
    } finally {
      // The wait is over (fired, timed out, target gone): a strike-thread watch ends with it.
      done.abort();
    }
  },
};

// Sends the signal plan from the strike thread (with new-work-rejected's rejection probe beside
// it) and waits until the first signal is sent. A target that dies before it was never struck: an
// error, not a verdict (and no need to sit out the rest of the trigger's delay).
export const strike: Step<RunContext> = {
  title: 'strike',
  async setup(ctx) {
    const { spec, history, port, marker, container } = ctx;
    const launched = ctx.launched;
    if (!spec.strike || !ctx.fired) return;
    const strike = spec.strike;
    // Escalation is cancelled when the harness itself ends the target (still-running).
    const strikeAbort = (ctx.strikeAbort = new AbortController());
    if (ctx.abort.signal.aborted) strikeAbort.abort();
    else ctx.abort.signal.addEventListener('abort', ctx.stopStrike, { once: true });
    // new-work-rejected's own evidence: fresh connections once the first signal:sent is recorded.
    ctx.prober = port === undefined ? undefined : startRejectionProbe({ history, host: HOST, port, spec, exited: launched.exited });
    const preStopContainer = strike.preStop && 'exec' in strike.preStop ? ctx.newContainer('prestop') : undefined;
    const struck = (ctx.struck = executeStrike({ strike, fired: ctx.fired,
      ...(preStopContainer ? { runPreStop: (argv: string[], stop: AbortSignal) => runHook(argv, stop, { cwd: ctx.cwd, env: spec.target.env, marker, container: preStopContainer }) } : {}),
      target: strikeTarget(ctx),
      onPlanned: (t) => ctx.planned.push(t), history, hasExited: () => launched.exit !== undefined, exited: launched.exited, signal: strikeAbort.signal, ...(snapshotPort(ctx) !== undefined ? { port: snapshotPort(ctx)! } : {}) }));
    await Promise.race([struck.sent, launched.exited]);
    // The exit may be seen before the strike thread's report of the signal that caused it.
    if (launched.exit) await Promise.race([struck.sent, sleepMs(1_000)]);
    if (launched.exit && struck.firstSentAt() === undefined) {
      const x = launched.exit;
      throw new HarnessError('TARGET_EXITED_EARLY', `the target exited (${x.signal ?? `code ${x.code}`}) before the strike, so its shutdown was not tested: make it run until signalled, or strike earlier (strike.at).${launched.lastLines(8).length ? `\nLast output:\n  ${launched.lastLines(8).join('\n  ')}` : ''}`);
    }
  },
  teardown(ctx) {
    ctx.prober?.stop();
    ctx.strikeAbort?.abort();
    ctx.abort.signal.removeEventListener('abort', ctx.stopStrike);
  },
};

// expect.stillRunning: the target must survive `forMs` after the first signal; then the harness
// ends it (and cancels the escalation), saying so in the history.
export const stillRunning: Step<RunContext> = {
  title: 'still running',
  async setup(ctx, signal) {
    const still = ctx.spec.expect.stillRunning;
    const launched = ctx.launched;
    if (!still || !ctx.struck || launched.exit) return;
    const from = ctx.struck.firstSentAt() ?? ctx.now();
    await Promise.race([launched.exited, sleepMs(Math.max(0, from + still.forMs - ctx.now()), signal)]);
    if (launched.exit || signal.aborted) return;
    ctx.history.emit({ type: 'target:alive', sinceSignalMs: ctx.now() - from });
    ctx.history.emit({ type: 'harness:stop', reason: 'still-running' });
    ctx.strikeAbort?.abort();
    ctx.harnessStopping = true;
    await stopGracefully(launched, ctx.container, ctx.options, 0);
  },
};

// Who the plan's signals go to.
export function strikeTarget(ctx: RunContext): DeliveryTarget {
  const { launched, marker, container } = ctx;
  return { pid: launched.signalPid, pgid: launched.pgid, marker, minStart: launched.start, known: () => ctx.tracker.alivePids(), ...(container.joinFiles[0] ? { procsFile: container.joinFiles[0] } : {}), exitWatch: { pid: launched.pid, start: launched.start, slot: launched.exitSlot } };
}

// The port whose accept view the first signal records (a target with a port under load).
function snapshotPort(ctx: RunContext): number | undefined {
  return ctx.port !== undefined && ctx.spec.load.length ? ctx.port : undefined;
}

// Runs a preStop `exec` hook in a container of its own (killed when `stop` fires); never rejects.
async function runHook(argv: string[], stop: AbortSignal, ctx: { cwd: string; env: Record<string, string>; marker: string; container: Container }): Promise<HookResult> {
  const wrapped = joinArgv(ctx.container, argv[0]!, argv.slice(1), false);
  const subprocess = execa(wrapped.command, wrapped.args, { cwd: ctx.cwd, env: { ...ctx.env, [MARKER_ENV]: ctx.marker }, reject: false, stdin: 'ignore', maxBuffer: 100_000 });
  const onStop = (): void => void ctx.container.kill();
  stop.addEventListener('abort', onStop, { once: true });
  try {
    const r = await subprocess;
    return { code: r.exitCode ?? null, signal: r.signal ?? null, ...(r.failed && r.exitCode === undefined && !r.signal ? { error: r.shortMessage } : {}) };
  } finally {
    stop.removeEventListener('abort', onStop);
  }
}
