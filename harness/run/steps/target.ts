import path from 'node:path';
import { FileObserver } from '../../observe/files.js';
import type { Container } from '../../target/containment.js';
import { launch, type Launched } from '../../target/launch.js';
import { ProcessTracker } from '../../target/tree.js';
import { ZombieWatch } from '../../target/zombies.js';
import type { Step } from '../steps.js';
import { sleepMs, type RunContext, type RunOptions } from './context.js';

// Launches the target in its container (its own process group) and records its spawn and, the
// moment Node sees it, its exit; ended by the harness at teardown if it is still running.
export const target: Step<RunContext> = {
  title: 'target',
  async setup(ctx) {
    const { spec, history, now, port } = ctx;
    ctx.cwd = path.resolve(spec.target.cwd ?? process.cwd());
    ctx.filesDir = path.resolve(ctx.cwd, spec.expect.filesDir ?? '.');
    ctx.container = ctx.newContainer('target');
    ctx.launching = launch({
      command: spec.target.command, args: spec.target.args, cwd: ctx.cwd, env: spec.target.env, shell: spec.target.shell, marker: ctx.marker, now, container: ctx.container,
      ...(spec.target.pid1 ? { pid1: { init: spec.target.init } } : {}),
      outputLines: spec.target.outputLines,
      onLine: (stream, line, keep) => {
        if (keep) history.emit({ type: 'log:line', t: line.t, stream, line: line.line });
        if (ctx.seenLines.length < 2_000) ctx.seenLines.push({ stream, line });
        for (const l of ctx.lineListeners) l(stream, line);
      },
    });
    const launched = (ctx.target = await ctx.launching);
    history.emit({ type: 'target:spawned', t: launched.spawnT, pid: launched.pid, pgid: launched.pgid, command: spec.target.command, args: spec.target.args, cwd: ctx.cwd, ...(port ? { port } : {}) });
    if (spec.target.pid1) history.emit({ type: 'target:pid1', t: launched.spawnT, pid: launched.signalPid, init: spec.target.init });
    const preset = spec.platformExpansion?.preset;
    for (const message of spec.platformExpansion?.warnings ?? []) history.emit({ type: 'platform:warning', t: launched.spawnT, preset: preset!, message });
    // Under pid1, the namespace's init is watched for children it never reaps (no-zombies).
    const zombies = (ctx.zombies = spec.target.pid1 ? new ZombieWatch({ pid1: launched.signalPid, now, onSeen: (z) => history.emit({ type: 'zombie:seen', t: z.firstT, pid: z.pid, cmd: z.cmd }) }) : undefined);
    zombies?.start();
    void launched.exited.then((exit) => {
      if (zombies) history.emit({ type: 'zombies:summary', t: exit.t, pid1: launched.signalPid, ...zombies.stop() });
      history.emit({ type: 'target:exit', t: exit.t, code: exit.code, signal: exit.signal, shellCode: exit.shellCode, byHarness: ctx.harnessStopping });
      if (preset) history.emit({ type: 'platform:exit', t: exit.t, preset, status: exit.shellCode, reads: platformExitText(preset, exit) });
    });
  },
  async teardown(ctx) {
    ctx.zombies?.stop();
    // A launch still in flight (the step lost its race) is awaited, so that its process is ended too.
    const launched = ctx.target ?? (await ctx.launching?.catch(() => undefined));
    if (launched && !launched.exit) {
      ctx.harnessStopping = true;
      await stopGracefully(launched, ctx.container, ctx.options, ctx.abort.signal.aborted ? ctx.options.interruptGraceMs ?? 3_000 : 0);
    }
  },
};

// Tracks every descendant of the target. It keeps clear of each planned signal: from a margin
// before it (three scans' worth, at least 10 ms) until the target's exit is seen or 100 ms have
// passed, so its /proc scans delay neither the strike nor the timestamp of a quick exit. The
// final sweep scans in full.
export const tracker: Step<RunContext> = {
  title: 'tracker',
  setup(ctx) {
    const { history, now, planned } = ctx;
    const launched = ctx.launched;
    const tracker = (ctx.tracker = new ProcessTracker({
      leaderPid: launched.pid, pgid: launched.pgid, marker: ctx.marker, now, minStart: launched.start, container: ctx.container,
      quiet: () => {
        const t = now();
        const margin = Math.max(10, 3 * tracker.lastScanMs);
        return planned.some((p) => t > p - margin && t < p + 100 && !launched.exit);
      },
      onSeen: (p) => history.emit({ type: 'process:seen', t: p.firstSeenT, pid: p.pid, ppid: p.ppid, pgid: p.pgid, sid: p.sid, cmd: p.cmd }),
      onExec: (p) => history.emit({ type: 'process:exec', t: now(), pid: p.pid, cmd: p.cmd }),
      onGone: (p) => history.emit({ type: 'process:gone', t: p.goneT!, pid: p.pid }),
    }));
    tracker.start();
  },
  teardown: ({ tracker }) => tracker?.stop(),
};

// Watches the files the expectations and a file trigger name.
export const observer: Step<RunContext> = {
  title: 'observer',
  setup(ctx) {
    const { spec } = ctx;
    const globs = [...(spec.expect.filesAbsent ?? []), ...(spec.strike && 'onFile' in spec.strike.at ? [spec.strike.at.onFile] : [])];
    ctx.observer = new FileObserver({ dir: ctx.filesDir, globs, history: ctx.history });
    ctx.observer.start();
  },
  teardown: ({ observer }) => observer?.stop(),
};

// Ends a target: SIGTERM to its group and a grace period (for interruptions), then SIGKILL to the
// whole tree. A second interrupt (`force`) skips the grace.
export async function stopGracefully(target: Launched, container: Container, options: RunOptions, graceMs: number): Promise<void> {
  if (graceMs > 0 && !target.exit && !options.force.aborted) {
    try {
      process.kill(-target.pgid, 'SIGTERM');
    } catch {
      // gone
    }
    await Promise.race([target.exited, sleepMs(graceMs, options.force)]);
  }
  await container.kill();
}

// How the platform would report this exit.
function platformExitText(preset: string, exit: { code: number | null; signal: string | null; shellCode: number }): string {
  if (preset === 'docker-stop') return `\`docker wait\` prints ${exit.shellCode}${exit.signal ? ` (128 + ${exit.signal})` : ''}`;
  if (preset === 'kubernetes') return `the container's state.terminated.exitCode is ${exit.shellCode}${exit.signal ? ` (128 + ${exit.signal}), reason Error` : exit.shellCode === 0 ? ', reason Completed' : ', reason Error'}`;
  return exit.signal ? `systemctl show: ExecMainCode=killed, ExecMainStatus=${exit.signal.replace(/^SIG/, '')}` : `systemctl show: ExecMainCode=exited, ExecMainStatus=${exit.code}`;
}
