import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { judgeOutcome, markOf } from '../report/outcome.js';
import { Clock, round3 } from '../clock.js';
import { errorMessage, HarnessError, isHarnessError } from '../errors.js';
import { History } from '../history/writer.js';
import { executeStrike, type HookResult } from '../inject/strike.js';
import { armTrigger, type Fired } from '../inject/triggers.js';
import { createLoadDriver } from '../load/index.js';
import { loadName } from '../load/name.js';
import { startRejectionProbe, type RejectionProbe } from '../load/rejection-probe.js';
import type { LoadDriver } from '../load/types.js';
import { computeMetrics } from '../metrics/core.js';
import { FileObserver, snapshotFiles } from '../observe/files.js';
import { writeFileAtomicSync } from '../report/atomic.js';
import { phaseAfter, type RunPhase } from '../report/progress.js';
import { replayCommandOf } from '../report/replay.js';
import type { RunResult } from '../report/types.js';
import type { RunSpec, ServiceSpec } from '../scenario/schema.js';
import { launch, type Launched } from '../target/launch.js';
import type { CapturedLine } from '../target/lines.js';
import { freePort } from '../target/ports.js';
import { makeRunTmp } from '../target/run-tmp.js';
import { describeReady, waitReady } from '../target/ready.js';
import { joinArgv, type Container, type Containment } from '../target/containment.js';
import { pid1Unavailable } from '../target/pid1.js';
import { settleTree } from '../target/settle.js';
import { ZombieWatch } from '../target/zombies.js';
import { readCmdline } from '../target/proc.js';
import { MARKER_ENV, ProcessTracker } from '../target/tree.js';
import { judgeRun } from './judge-run.js';
import { fill, portsWanted, type Vars } from './placeholders.js';
import { runDirName, type RunPlan } from './plan.js';
import { Teardown } from './teardown.js';
import { commandExists } from './which.js';

export interface RunOptions {
  outDir: string;
  // `<harnessPid>:<session>:` — the run's marker is this plus `<runIndex>/`.
  sessionMarker: string;
  // Holds every process the run starts (a kernel container per target, service and inspect).
  containment: Containment;
  index: number;
  // Aborted when the harness is interrupted: the run ends its target (grace, then SIGKILL).
  signal: AbortSignal;
  // Aborted on a second interrupt: kill everything at once.
  force: AbortSignal;
  // How long an interrupted target gets between SIGTERM and SIGKILL.
  interruptGraceMs?: number;
  // Told when the run moves to another phase (report/progress.ts), read off its history.
  onPhase?: (phase: RunPhase) => void;
  // The retry (--retries) this execution is: 0 for the first. A retry gets its own run folder
  // (`<run>~retry<N>`) and process markers, so the earlier attempt's history is kept.
  retry?: number;
}

const HOST = '127.0.0.1';
const PORT_RETRIES = 3;

// Executes one run and judges it. Never rejects: every failure becomes a verdict (`error` with
// the reason), and every process the run started is gone when it resolves.
export async function executeRun(plan: RunPlan, options: RunOptions): Promise<RunResult> {
  const runDirRel = path.join('runs', `${runDirName(plan.id)}${options.retry ? `~retry${options.retry}` : ''}`);
  const runDir = path.join(options.outDir, runDirRel);
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
  const started = performance.now();
  const startedAt = new Date().toISOString();
  let attempt = 0;
  for (;;) {
    attempt++;
    const outcome = await attemptRun(plan, options, runDir, attempt);
    const retry = outcome.portClash && attempt < PORT_RETRIES && !options.signal.aborted;
    if (retry) continue;
    // A history that could not be written (disk full, write denied) makes the run an error.
    if (!outcome.error && !outcome.skipped && outcome.history.writeError) outcome.error = outcome.history.writeError;
    const events = outcome.history.events();
    // Judged against the filled spec (placeholders replaced), the one saved as spec.json that
    // `shutdown-drill report DIR` re-judges: the same history gets the same verdict both ways.
    const judged = outcome.skipped ? undefined : judgeRun(outcome.spec ?? plan.spec, events);
    const checks = judged?.checks ?? [];
    const verdict = outcome.skipped ? 'skipped' : outcome.error ? 'error' : judged!.verdict;
    const exit = events.find((e) => e.type === 'target:exit');
    // Root causes come with the judgement (null when every check passed, and for a skipped run).
    const rootCause = judged?.rootCause ?? null;
    const reason = outcome.skipped ?? (outcome.error ? errorMessage(outcome.error) : verdict === 'error' && checks.length === 0 ? 'the scenario asks for no check: add expectations under `expect`' : undefined);
    const mark = markOf(plan.spec.expect.fails);
    const gate = judgeOutcome({ verdict, checks, ...(reason ? { reason } : {}) }, mark);
    return {
      id: plan.id,
      scenario: plan.scenario,
      params: plan.params,
      seed: plan.seed,
      repeat: plan.repeat,
      verdict,
      ...(reason ? { reason } : {}),
      ...(outcome.error ? { errorCode: isHarnessError(outcome.error) ? outcome.error.code : 'INTERNAL' } : {}),
      checks,
      metrics: { ...(judged?.metrics ?? computeMetrics(events)), ...(attempt > 1 ? { portRetries: attempt - 1 } : {}) },
      exit: exit && exit.type === 'target:exit' ? { code: exit.code, signal: exit.signal, shellCode: exit.shellCode, ...(exit.byHarness ? { byHarness: true } : {}) } : null,
      history: path.join(runDirRel, 'events.jsonl').split(path.sep).join('/'),
      file: plan.file,
      replay: replayCommandOf(plan),
      durationMs: round3(performance.now() - started),
      startedAt,
      ...(rootCause ? { rootCause } : {}),
      outcome: gate.outcome,
      ...(gate.note ? { outcomeNote: gate.note } : {}),
      ...(mark ? { fails: mark } : {}),
      ...(plan.spec.tags.length ? { tags: plan.spec.tags } : {}),
    };
  }
}

interface AttemptOutcome {
  history: History;
  // The spec with its placeholders filled in (once the run got that far).
  spec?: RunSpec;
  error?: unknown;
  skipped?: string;
  portClash: boolean;
}

async function attemptRun(plan: RunPlan, options: RunOptions, runDir: string, attempt: number): Promise<AttemptOutcome> {
  const clock = new Clock();
  const history = new History({ clock, file: path.join(runDir, 'events.jsonl') });
  if (options.onPhase) {
    let phase: RunPhase | undefined;
    history.subscribe((e) => {
      const next = phaseAfter(e, phase);
      if (next && next !== phase) options.onPhase!((phase = next));
    });
  }
  const teardown = new Teardown();
  const abort = new AbortController();
  const onInterrupt = (): void => abort.abort();
  options.signal.addEventListener('abort', onInterrupt, { once: true });
  teardown.add('interrupt listener', () => options.signal.removeEventListener('abort', onInterrupt));
  const now = (): number => clock.now();
  // `<index>.<port attempt>`, `<index>r<retry>.<port attempt>` for a retry: unique in the session.
  const slot = `${options.index}${options.retry ? `r${options.retry}` : ''}.${attempt}`;
  const marker = `${options.sessionMarker}${slot}/`;
  // One container per process tree the run starts; all are killed (verified) and removed at the end.
  const containers: Container[] = [];
  const runTag = `r${slot}`;
  const newContainer = (name: string): Container => {
    const c = options.containment.create(`${runTag}-${name}`);
    containers.push(c);
    return c;
  };
  teardown.add('containers', async () => {
    for (const c of containers.reverse()) {
      if (c.members().length) await c.kill();
      c.destroy();
    }
  });
  const lineListeners = new Set<(stream: 'stdout' | 'stderr', line: CapturedLine) => void>();
  const drivers: LoadDriver[] = [];
  let target: Launched | undefined;
  let harnessStopping = false;
  let struck: ReturnType<typeof executeStrike> | undefined;
  let prober: RejectionProbe | undefined;
  let outcome: AttemptOutcome = { history, portClash: false };

  history.emit({ type: 'run:start', runId: plan.id, scenario: plan.scenario, params: plan.params, seed: plan.seed, originWall: clock.originWall, harnessPid: process.pid, containment: options.containment.level });
  try {
    if (options.signal.aborted) throw new HarnessError('INTERRUPTED', 'the harness was interrupted before this run started');
    const missing = (plan.spec.requires?.commands ?? []).filter((c) => !commandExists(c));
    if (missing.length) {
      const reason = `requires ${missing.join(', ')}, not found on PATH: install ${missing.join(' and ')} to run it`;
      history.emit({ type: 'run:skip', reason });
      return (outcome = { history, skipped: reason, portClash: false });
    }
    // target.pid1 is never run outside a PID namespace: without one the run is skipped, saying why.
    const noPid1 = plan.spec.target.pid1 ? pid1Unavailable() : undefined;
    if (noPid1) {
      const reason = `target.pid1: ${noPid1}`;
      history.emit({ type: 'run:skip', reason });
      return (outcome = { history, skipped: reason, portClash: false });
    }

    // Per-run resources: a temp dir and the ports the scenario asks for.
    const tmp = makeRunTmp();
    teardown.add('temp dir', () => fs.rmSync(tmp, { recursive: true, force: true }));
    const vars: Vars = { tmp, dir: plan.dir, node: process.execPath, python: 'python3', cwd: process.cwd(), out: runDir, seed: String(plan.seed) };
    for (const name of portsWanted([plan.spec.target, plan.spec.services, plan.spec.expect])) {
      vars[name ? `port.${name}` : 'port'] = String(await freePort(HOST));
    }
    const spec: RunSpec = { ...plan.spec, target: fill(plan.spec.target, vars), services: fill(plan.spec.services, vars), expect: fill(plan.spec.expect, vars),
      ...(plan.spec.strike ? { strike: fill(plan.spec.strike, vars) } : {}) };
    outcome.spec = spec;
    const port = vars['port'] === undefined ? undefined : Number(vars['port']);
    // The resolved spec beside the history, so `shutdown-drill report DIR` can re-judge the run.
    writeFileAtomicSync(path.join(runDir, 'spec.json'), JSON.stringify(spec, null, 2));
    const runDeadline = performance.now() + spec.timeoutMs;

    // Services first (e.g. a file server the target downloads from), ended after the target.
    for (const service of spec.services) {
      await startService(service, { history, teardown, marker: `${options.sessionMarker}${slot}~${service.name}/`, container: newContainer(`svc-${service.name}`), now, vars, plan, signal: abort.signal });
    }

    const cwd = path.resolve(spec.target.cwd ?? process.cwd());
    // Lines seen so far (bounded), for log readiness and for log triggers armed after the line.
    const seenLines: Array<{ stream: 'stdout' | 'stderr'; line: CapturedLine }> = [];
    const container = newContainer('target');
    teardown.add('target', async () => {
      if (target && !target.exit) {
        harnessStopping = true;
        await stopGracefully(target, container, options, abort.signal.aborted ? options.interruptGraceMs ?? 3_000 : 0);
      }
    });
    target = await launch({
      command: spec.target.command, args: spec.target.args, cwd, env: spec.target.env, shell: spec.target.shell, marker, now, container,
      ...(spec.target.pid1 ? { pid1: { init: spec.target.init } } : {}),
      outputLines: spec.target.outputLines,
      onLine: (stream, line, keep) => {
        if (keep) history.emit({ type: 'log:line', t: line.t, stream, line: line.line });
        if (seenLines.length < 2_000) seenLines.push({ stream, line });
        for (const l of lineListeners) l(stream, line);
      },
    });
    const launched = target;
    history.emit({ type: 'target:spawned', t: launched.spawnT, pid: launched.pid, pgid: launched.pgid, command: spec.target.command, args: spec.target.args, cwd, ...(port ? { port } : {}) });
    if (spec.target.pid1) history.emit({ type: 'target:pid1', t: launched.spawnT, pid: launched.signalPid, init: spec.target.init });
    const preset = spec.platformExpansion?.preset;
    for (const message of spec.platformExpansion?.warnings ?? []) history.emit({ type: 'platform:warning', t: launched.spawnT, preset: preset!, message });
    // Under pid1, the namespace's init is watched for children it never reaps (no-zombies).
    const zombies = spec.target.pid1 ? new ZombieWatch({ pid1: launched.signalPid, now, onSeen: (z) => history.emit({ type: 'zombie:seen', t: z.firstT, pid: z.pid, cmd: z.cmd }) }) : undefined;
    zombies?.start();
    teardown.add('zombie watch', () => void zombies?.stop());
    void launched.exited.then((exit) => {
      if (zombies) history.emit({ type: 'zombies:summary', t: exit.t, pid1: launched.signalPid, ...zombies.stop() });
      history.emit({ type: 'target:exit', t: exit.t, code: exit.code, signal: exit.signal, shellCode: exit.shellCode, byHarness: harnessStopping });
      if (preset) history.emit({ type: 'platform:exit', t: exit.t, preset, status: exit.shellCode, reads: platformExitText(preset, exit) });
    });

    // The tracker keeps clear of each planned signal: from a margin before it (three scans' worth,
    // at least 10 ms) until the target's exit is seen or 100 ms have passed, so its /proc scans
    // delay neither the strike nor the timestamp of a quick exit. The final sweep scans in full.
    const planned: number[] = [];
    const tracker = new ProcessTracker({
      leaderPid: launched.pid, pgid: launched.pgid, marker, now, minStart: launched.start, container,
      quiet: () => {
        const t = now();
        const margin = Math.max(10, 3 * tracker.lastScanMs);
        return planned.some((p) => t > p - margin && t < p + 100 && !launched.exit);
      },
      onSeen: (p) => history.emit({ type: 'process:seen', t: p.firstSeenT, pid: p.pid, ppid: p.ppid, pgid: p.pgid, sid: p.sid, cmd: p.cmd }),
      onExec: (p) => history.emit({ type: 'process:exec', t: now(), pid: p.pid, cmd: p.cmd }),
      onGone: (p) => history.emit({ type: 'process:gone', t: p.goneT!, pid: p.pid }),
    });
    tracker.start();
    teardown.add('process tracker', () => tracker.stop());

    const fileGlobs = [...(spec.expect.filesAbsent ?? []), ...(spec.strike && 'onFile' in spec.strike.at ? [spec.strike.at.onFile] : [])];
    const filesDir = path.resolve(cwd, spec.expect.filesDir ?? '.');
    const observer = new FileObserver({ dir: filesDir, globs: fileGlobs, history });
    observer.start();
    teardown.add('file observer', () => observer.stop());

    // Readiness, racing the target's death and the deadline.
    try {
      // Readiness never outlasts the run's own budget.
      const readyBudget = Math.max(0, runDeadline - performance.now());
      const ready = spec.target.ready && spec.target.ready.timeoutMs > readyBudget ? { ...spec.target.ready, timeoutMs: readyBudget } : spec.target.ready;
      await waitReady(ready, {
        host: HOST, port, cwd, exited: launched.exited, signal: abort.signal, what: `target \`${[spec.target.command, ...spec.target.args].join(' ').slice(0, 120)}\``,
        logSeen: (re) => seenLines.some((l) => re.test(l.line.line)), lastLines: () => launched.lastLines(10),
        onLine: (listener) => {
          const l = (): void => listener();
          lineListeners.add(l);
          return () => lineListeners.delete(l);
        },
      });
    } catch (error) {
      if (isHarnessError(error, 'TARGET_NOT_READY') || isHarnessError(error, 'TARGET_EXITED_EARLY')) {
        history.emit({ type: 'target:not-ready', probe: describeReady(spec.target.ready), reason: errorMessage(error), timeoutMs: spec.target.ready?.timeoutMs ?? 0 });
        const clash = port !== undefined && launched.lastLines(50).some((l) => /EADDRINUSE|address already in use/i.test(l));
        if (clash) outcome.portClash = true;
        if (clash && attempt >= PORT_RETRIES) {
          throw new HarnessError('PORT_UNAVAILABLE', `the target could not bind its port ${attempt} times (EADDRINUSE): does it ignore {port} and bind a fixed port that something else holds? Pass {port} in target.args or target.env.`, { cause: error });
        }
      }
      throw error;
    }
    const readyT = now();
    history.emit({ type: 'target:ready', t: readyT, probe: describeReady(spec.target.ready), readyMs: round3(readyT - launched.spawnT) });

    // Load.
    for (let i = 0; i < spec.load.length; i++) {
      const l = spec.load[i]!;
      const { name } = loadName(l, i);
      const driver = createLoadDriver(l, { history, clockOrigin: clock.origin.toString(), host: HOST, port, name, runDir, signal: abort.signal, processMarker: `${options.sessionMarker}${slot}~load/` });
      drivers.push(driver);
      teardown.add(`load ${name}`, () => driver.stop());
      await raceRun(driver.start(), launched, abort.signal, runDeadline, `starting load ${name}`);
    }

    // The strike.
    if (spec.strike) {
      const strike = spec.strike;
      const triggerTimeout = strike.at.timeoutMs ?? spec.timeoutMs;
      history.emit({ type: 'trigger:armed', trigger: JSON.stringify(strike.at) });
      const fired = await raceRun<Fired>(
        armTrigger(strike.at, {
          history, now, spawnT: launched.spawnT, readyT, seed: plan.seed, cwd: filesDir, load: spec.load, signal: abort.signal,
          onLine: (listener) => {
            lineListeners.add(listener);
            for (const l of [...seenLines]) if (lineListeners.has(listener)) listener(l.stream, l.line);
            return () => lineListeners.delete(listener);
          },
        }),
        launched, abort.signal, Math.min(runDeadline, performance.now() + triggerTimeout), 'waiting for the trigger', 'TRIGGER_TIMEOUT',
      );
      // Escalation is cancelled when the harness itself ends the target (still-running).
      const strikeAbort = new AbortController();
      const stopStrike = (): void => strikeAbort.abort();
      if (abort.signal.aborted) stopStrike();
      else abort.signal.addEventListener('abort', stopStrike, { once: true });
      teardown.add('strike', () => {
        strikeAbort.abort();
        abort.signal.removeEventListener('abort', stopStrike);
      });
      // new-work-rejected's own evidence: fresh connections once the first signal:sent is recorded.
      prober = port === undefined ? undefined : startRejectionProbe({ history, host: HOST, port, spec, exited: launched.exited });
      teardown.add('rejection probe', () => prober?.stop());
      const preStopContainer = strike.preStop && 'exec' in strike.preStop ? newContainer('prestop') : undefined;
      struck = executeStrike({ strike, fired,
        ...(preStopContainer ? { runPreStop: (argv: string[], stop: AbortSignal) => runHook(argv, stop, { cwd, env: spec.target.env, marker, container: preStopContainer }) } : {}), target: { pid: launched.signalPid, pgid: launched.pgid, marker, minStart: launched.start, known: () => tracker.alivePids(), ...(container.joinFiles[0] ? { procsFile: container.joinFiles[0] } : {}) }, onPlanned: (t) => planned.push(t), history, hasExited: () => launched.exit !== undefined, exited: launched.exited, signal: strikeAbort.signal, ...(port !== undefined && spec.load.length ? { port } : {}) });
      // A target that dies before the first signal was never struck: an error, not a verdict (and
      // no need to sit out the rest of the trigger's delay).
      await Promise.race([struck.sent, launched.exited]);
      // The exit may be seen before the strike thread's report of the signal that caused it.
      if (launched.exit) await Promise.race([struck.sent, sleepMs(1_000)]);
      const firstSentAt = struck.firstSentAt();
      if (launched.exit && firstSentAt === undefined) {
        const x = launched.exit;
        throw new HarnessError('TARGET_EXITED_EARLY', `the target exited (${x.signal ?? `code ${x.code}`}) before the strike, so its shutdown was not tested: make it run until signalled, or strike earlier (strike.at).${launched.lastLines(8).length ? `\nLast output:\n  ${launched.lastLines(8).join('\n  ')}` : ''}`);
      }
      const still = spec.expect.stillRunning;
      if (still && !launched.exit) {
        const from = firstSentAt ?? now();
        await Promise.race([launched.exited, sleepUntil(from + still.forMs, now, abort.signal)]);
        if (!launched.exit && !abort.signal.aborted) {
          history.emit({ type: 'target:alive', sinceSignalMs: now() - from });
          history.emit({ type: 'harness:stop', reason: 'still-running' });
          strikeAbort.abort();
          harnessStopping = true;
          await stopGracefully(launched, container, options, 0);
        }
      }
    }
    // Wait for the exit (the target may be a CLI that ends by itself), bounded by the run deadline.
    if (!launched.exit) {
      const left = runDeadline - performance.now();
      const ended = await Promise.race([launched.exited.then(() => true), sleepMs(Math.max(0, left), abort.signal).then(() => false)]);
      if (!ended) {
        if (abort.signal.aborted) throw new HarnessError('INTERRUPTED', 'the harness was interrupted during this run');
        history.emit({ type: 'harness:stop', reason: 'timeout' });
        harnessStopping = true;
        await stopGracefully(launched, container, options, 0);
        throw new HarnessError('RUN_TIMEOUT', `the run exceeded its ${spec.timeoutMs} ms budget (timeoutMs) and the target was killed; raise timeoutMs or add strike.escalate`);
      }
    }

    // After the exit: the strike thread's last report (an escalation sent just before the exit),
    // the load's closes, then the sweep of the tree.
    if (struck) await Promise.race([struck.settled, sleepMs(1_000)]);
    if (prober) await Promise.race([prober.finished(), sleepMs(3_000)]);
    if (drivers.length) await Promise.race([Promise.all(drivers.map((d) => d.done.catch(() => {}))), sleepMs(2_000, abort.signal)]);
    // Evidence before intervention: the tree is left to end by itself (the orphan grace; members
    // dying of a SIGKILL already sent are awaited), the files are looked at, and only then does
    // the harness kill what is left.
    tracker.stop();
    const grace = typeof spec.expect.noOrphans === 'object' ? spec.expect.noOrphans.withinMs : 0;
    const settled = await settleTree({ container, leaderPid: launched.pid, leaderExitT: launched.exit?.t ?? now(), graceMs: grace, now });
    for (const e of settled.exited) history.emit({ type: 'orphan:exited', ...e });
    for (const d of settled.dying) history.emit({ type: 'orphan:dying', ...d });
    observer.poll();
    const afterHarnessKill = harnessStopping ? { afterHarnessKill: true } : {};
    if (spec.expect.filesAbsent?.length) {
      history.emit({ type: 'files:snapshot', purpose: 'absent', globs: spec.expect.filesAbsent, ...snapshotFiles(filesDir, spec.expect.filesAbsent, false), ...afterHarnessKill });
    }
    if (spec.expect.filesIntact?.length) {
      const globs = spec.expect.filesIntact.map((f) => (typeof f === 'string' ? f : f.path));
      history.emit({ type: 'files:snapshot', purpose: 'intact', globs, ...snapshotFiles(filesDir, globs, true), ...afterHarnessKill });
    }
    await sweepOrphans(container, settled.orphans, launched.pgid, history);
    for (const step of spec.expect.inspect ?? []) await runInspect(step, { history, cwd: filesDir, vars, marker, container: newContainer(`inspect-${step.name}`) });
  } catch (error) {
    const e = abort.signal.aborted && !isHarnessError(error) ? new HarnessError('INTERRUPTED', 'the harness was interrupted during this run', { cause: error }) : error;
    history.emit({ type: 'run:error', code: isHarnessError(e) ? e.code : 'INTERNAL', message: errorMessage(e) });
    if (isHarnessError(e, 'INTERRUPTED')) history.emit({ type: 'harness:stop', reason: 'interrupted' });
    outcome = { ...outcome, history, error: e };
  } finally {
    for (const d of drivers) await d.stop().catch(() => {});
    await teardown.run();
    if (target) {
      for (const d of await target.finishOutput()) history.emit({ type: 'log:dropped', stream: d.stream, dropped: d.dropped, bytes: d.bytes });
      // Make sure the exit event is in before closing (the teardown has ended the target).
      await Promise.race([target.exited, sleepMs(1_000)]);
      await Promise.resolve();
    }
    history.emit({ type: 'run:end' });
    history.close();
  }
  return outcome;
}

// Reports the orphans (found by settleTree, nothing done to them yet), then kills the container
// and verifies it is empty: "killed" is said only when nothing of it is left.
async function sweepOrphans(container: Container, orphans: Array<{ pid: number; ppid: number; pgid: number; sid: number; cmd: string; livedMs: number }>, leaderPgid: number, history: History, source?: string): Promise<void> {
  for (const o of orphans) history.emit({ type: 'orphan:found', ...o, escapedGroup: o.pgid !== leaderPgid, ...(source ? { source } : {}) });
  const left = container.members();
  const { survivors, verified } = left.length ? await container.kill() : { survivors: [], verified: true };
  history.emit({ type: 'orphan:killed', pids: orphans.map((o) => o.pid), survivors, verified });
}

// Ends a target: SIGTERM to its group and a grace period (for interruptions), then SIGKILL to the
// whole tree. A second interrupt (`force`) skips the grace.
async function stopGracefully(target: Launched, container: Container, options: RunOptions, graceMs: number): Promise<void> {
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

async function startService(service: ServiceSpec, ctx: { history: History; teardown: Teardown; marker: string; container: Container; now: () => number; vars: Vars; plan: RunPlan; signal: AbortSignal }): Promise<void> {
  const { history, teardown, marker, now, container } = ctx;
  const cwd = path.resolve(service.cwd ?? process.cwd());
  const lines: string[] = [];
  let launched: Launched | undefined;
  teardown.add(`service ${service.name}`, async () => {
    if (launched) await container.kill();
  });
  launched = await launch({
    command: service.command, args: service.args, cwd, env: service.env, shell: service.shell, marker, container, now, outputLines: 200,
    onLine: (stream, line, keep) => {
      if (keep) history.emit({ type: 'log:line', t: line.t, stream, line: line.line, source: service.name });
      if (lines.length < 500) lines.push(line.line);
    },
  });
  history.emit({ type: 'service:spawned', name: service.name, pid: launched.pid, command: service.command, args: service.args });
  const port = ctx.vars[`port.${service.name}`];
  const svc = launched;
  await waitReady(service.ready, {
    host: HOST, port: port === undefined ? undefined : Number(port), cwd, exited: svc.exited, signal: ctx.signal, what: `service "${service.name}"`,
    logSeen: (re) => lines.some((l) => re.test(l)), lastLines: () => svc.lastLines(10),
  });
  history.emit({ type: 'service:ready', name: service.name });
}

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

// How the platform would report this exit.
function platformExitText(preset: string, exit: { code: number | null; signal: string | null; shellCode: number }): string {
  if (preset === 'docker-stop') return `\`docker wait\` prints ${exit.shellCode}${exit.signal ? ` (128 + ${exit.signal})` : ''}`;
  if (preset === 'kubernetes') return `the container's state.terminated.exitCode is ${exit.shellCode}${exit.signal ? ` (128 + ${exit.signal}), reason Error` : exit.shellCode === 0 ? ', reason Completed' : ', reason Error'}`;
  return exit.signal ? `systemctl show: ExecMainCode=killed, ExecMainStatus=${exit.signal.replace(/^SIG/, '')}` : `systemctl show: ExecMainCode=exited, ExecMainStatus=${exit.code}`;
}

// Races a step of the run with the target's death, the interruption and a deadline.
async function raceRun<T>(work: Promise<T>, target: Launched, signal: AbortSignal, deadline: number, what: string, timeoutCode: 'RUN_TIMEOUT' | 'TRIGGER_TIMEOUT' = 'RUN_TIMEOUT'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HarnessError(timeoutCode, `timed out ${what} (${timeoutCode === 'TRIGGER_TIMEOUT' ? 'the trigger never fired: check strike.at, or raise strike.at.timeoutMs' : 'raise timeoutMs'})`)), Math.max(0, deadline - performance.now()));
    onAbort = () => reject(new HarnessError('INTERRUPTED', `the harness was interrupted while ${what}`));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    void target.exited.then((exit) => reject(new HarnessError('TARGET_EXITED_EARLY', `the target exited (${exit.signal ?? `code ${exit.code}`}) while ${what}.${target.lastLines(8).length ? `\nLast output:\n  ${target.lastLines(8).join('\n  ')}` : ''}`)));
  });
  guard.catch(() => {});
  try {
    return await Promise.race([work, guard]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    timer.unref();
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

function sleepUntil(t: number, now: () => number, signal: AbortSignal): Promise<void> {
  return sleepMs(Math.max(0, t - now()), signal);
}
