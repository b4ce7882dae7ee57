import path from 'node:path';
import { HarnessError } from '../../errors.js';
import { writeFileAtomicSync } from '../../report/atomic.js';
import type { RunSpec } from '../../scenario/schema.js';
import { freePort } from '../../target/ports.js';
import { pid1Unavailable } from '../../target/pid1.js';
import { makeRunTmp, removeRunTmp, usesRunTmp } from '../../target/run-tmp.js';
import { fill, portsWanted, type Vars } from '../placeholders.js';
import type { Step } from '../steps.js';
import { commandExists } from '../which.js';
import { HOST, sleepMs, type RunContext } from './context.js';

// The target's last output, once every other teardown has run (it ended the target): dropped lines
// are counted in the history and the exit event is awaited before the history closes.
export const output: Step<RunContext> = {
  title: 'output',
  setup: () => {},
  async teardown({ target, history }) {
    if (!target) return;
    for (const d of await target.finishOutput()) history.emit({ type: 'log:dropped', stream: d.stream, dropped: d.dropped, bytes: d.bytes });
    await Promise.race([target.exited, sleepMs(1_000)]);
    await Promise.resolve();
  },
};

// Links the harness's interruption to the run's own abort; a harness already interrupted runs nothing.
export const interrupt: Step<RunContext> = {
  title: 'interrupt',
  setup({ options, onInterrupt }) {
    if (options.signal.aborted) throw new HarnessError('INTERRUPTED', 'the harness was interrupted before this run started');
    options.signal.addEventListener('abort', onInterrupt, { once: true });
  },
  teardown({ options, onInterrupt }) {
    options.signal.removeEventListener('abort', onInterrupt);
  },
};

// Every container the run made: killed (verified) and removed, after everything else.
export const containers: Step<RunContext> = {
  title: 'containers',
  setup: () => {},
  async teardown({ containers }) {
    for (const c of containers.reverse()) {
      if (c.members().length) await c.kill();
      c.destroy();
    }
  },
};

// A run whose commands are missing, or whose target.pid1 has no PID namespace, is skipped, saying why.
export const prerequisites: Step<RunContext> = {
  title: 'prerequisites',
  setup({ plan, history, outcome }) {
    const missing = (plan.spec.requires?.commands ?? []).filter((c) => !commandExists(c));
    const noPid1 = !missing.length && plan.spec.target.pid1 ? pid1Unavailable() : undefined;
    const reason = missing.length ? `requires ${missing.join(', ')}, not found on PATH: install ${missing.join(' and ')} to run it` : noPid1 ? `target.pid1: ${noPid1}` : undefined;
    if (!reason) return;
    history.emit({ type: 'run:skip', reason });
    outcome.skipped = reason;
    return 'stop';
  },
};

// Per-run resources: a temp dir (only when the spec uses {tmp}) and the ports the scenario asks for; then the filled spec (saved
// beside the history, so `shutdown-drill report DIR` can re-judge the run) and the run's deadline.
export const prepare: Step<RunContext> = {
  title: 'prepare',
  async setup(ctx) {
    const { plan, runDir } = ctx;
    const tmp = (ctx.tmp = usesRunTmp([plan.spec.target, plan.spec.services, plan.spec.expect, plan.spec.strike]) ? makeRunTmp() : undefined);
    const vars: Vars = { ...(tmp ? { tmp } : {}), dir: plan.dir, node: process.execPath, python: 'python3', cwd: process.cwd(), out: runDir, seed: String(plan.seed) };
    for (const name of portsWanted([plan.spec.target, plan.spec.services, plan.spec.expect])) {
      vars[name ? `port.${name}` : 'port'] = String(await freePort(HOST));
    }
    const spec: RunSpec = { ...plan.spec, target: fill(plan.spec.target, vars), services: fill(plan.spec.services, vars), expect: fill(plan.spec.expect, vars),
      ...(plan.spec.strike ? { strike: fill(plan.spec.strike, vars) } : {}) };
    ctx.vars = vars;
    ctx.spec = ctx.outcome.spec = spec;
    ctx.port = vars['port'] === undefined ? undefined : Number(vars['port']);
    writeFileAtomicSync(path.join(runDir, 'spec.json'), JSON.stringify(spec, null, 2));
    ctx.deadline = performance.now() + spec.timeoutMs;
  },
  async teardown({ tmp }) {
    if (tmp) await removeRunTmp(tmp);
  },
};
