import path from 'node:path';
import { execa } from 'execa';
import { round3 } from '../../clock.js';
import type { History } from '../../history/writer.js';
import type { RunSpec } from '../../scenario/schema.js';
import { joinArgv, type Container } from '../../target/containment.js';
import { readCmdline } from '../../target/proc.js';
import { MARKER_ENV } from '../../target/tree.js';
import { fill, type Vars } from '../placeholders.js';
import type { Step } from '../steps.js';
import { sleepMs, type RunContext } from './context.js';
import { sweepOrphans } from './evidence.js';

// Runs the expectations' inspect commands after the exit, one by one (each capped by its own timeoutMs).
export const inspect: Step<RunContext> = {
  title: 'inspect',
  races: { deadline: false },
  async setup(ctx, signal) {
    for (const step of ctx.spec.expect.inspect ?? []) {
      if (signal.aborted) return;
      await runInspect(step, { history: ctx.history, cwd: ctx.filesDir, vars: ctx.vars, marker: ctx.marker, container: ctx.newContainer(`inspect-${step.name}`) });
    }
  },
};

// Runs one inspect command in a container of its own; a process it leaves behind (a daemon it
// started) is reported as an orphan of `inspect:<name>` and killed.
async function runInspect(step: NonNullable<RunSpec['expect']['inspect']>[number], ctx: { history: History; cwd: string; vars: Vars; marker: string; container: Container }): Promise<void> {
  const args = fill(step.args, ctx.vars);
  const command = fill(step.command, ctx.vars);
  const wrapped = joinArgv(ctx.container, command, args, false);
  const started = performance.now();
  const subprocess = execa(wrapped.command, wrapped.args, {
    cwd: path.resolve(ctx.cwd, fill(step.cwd ?? '.', ctx.vars)), reject: false, timeout: step.timeoutMs, stdin: 'ignore',
    env: { [MARKER_ENV]: ctx.marker }, maxBuffer: 1_000_000,
  });
  const inspectPid = subprocess.pid ?? 0;
  // The command's exit is what counts: a daemon it started may hold its output open. Once it has
  // exited (and its pipes had 200 ms to drain), whatever is left in its container outlived it.
  let exitedAt = 0;
  const exited = new Promise<void>((resolve) => subprocess.once('exit', () => {
    exitedAt = performance.now();
    resolve();
  }));
  await Promise.race([subprocess, exited.then(() => sleepMs(200))]);
  const left = ctx.container.members();
  const orphans = left.map((p) => ({ pid: p.pid, ppid: p.ppid, pgid: p.pgid, sid: p.sid, cmd: readCmdline(p.pid) || p.comm, livedMs: round3(performance.now() - (exitedAt || started)) }));
  if (orphans.length) await sweepOrphans(ctx.container, orphans, inspectPid, ctx.history, `inspect:${step.name}`);
  const result = await subprocess;
  ctx.history.emit({
    type: 'inspect:result', name: step.name, command, args, code: result.exitCode ?? null, signal: result.signal ?? null,
    stdout: String(result.stdout ?? '').slice(0, 10_000), stderr: String(result.stderr ?? '').slice(0, 10_000),
    ...(result.failed && result.exitCode === undefined ? { error: result.shortMessage } : {}),
  });
}
