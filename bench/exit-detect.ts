import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { MARKER_ENV } from '../harness/target/tree.js';
import type { Floor } from './build-floor.js';
import type { HarnessRunner } from './harness-runs.js';
import { strikeLateness, targetLifetime, whyNotPassed } from './harness-runs.js';
import { collectStdout, newMarker, spawnTracked } from './procs.js';

// One way of seeing the instant target exit after SIGTERM; each call returns `n` samples (ms).
export type ExitSampler = (n: number) => Promise<number[]>;

const READY = 'ready\n';
// Every method leaves the same pause between the ready line and the kill (the harness strikes
// `afterReadyMs: 10`): a target asleep longer wakes up slower (idle CPUs), floors included.
export const STRIKE_DELAY_MS = 10;
const pause = (): Promise<void> => new Promise((r) => setTimeout(r, STRIKE_DELAY_MS));

async function runFloorProgram(command: string, args: string[], n: number, what: string): Promise<number[]> {
  const t = await spawnTracked(command, args, { tag: 'floor' });
  const out = await collectStdout(t);
  if (out.code !== 0) throw new Error(`bench: the ${what} floor failed (exit ${out.signal ?? out.code}): ${out.stderr.trim()}`);
  const samples = out.lines.map(Number).filter((v) => Number.isFinite(v));
  if (samples.length !== n) throw new Error(`bench: the ${what} floor printed ${samples.length} samples, expected ${n}`);
  return samples;
}

// The C floor: fork/exec, read "ready", pause, time kill() -> waitpid() in C.
export function cFloor(floor: Floor): ExitSampler | undefined {
  const { waitpid } = floor;
  if (!waitpid || floor.target.kind !== 'c') return undefined;
  return (n) => runFloorProgram(waitpid, [floor.target.command, String(n), String(STRIKE_DELAY_MS)], n, 'C waitpid');
}

// The bash floor: a coprocess, read "ready", pause, time `kill -TERM; wait` with EPOCHREALTIME.
export function bashFloor(floor: Floor): ExitSampler {
  return (n) => runFloorProgram('bash', [floor.bash, String(n), String(STRIKE_DELAY_MS), floor.target.command, ...floor.target.args], n, 'bash kill/wait');
}

// Resolves when the stream has printed the ready line.
function readyOn(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      if (buf.includes(READY)) {
        stream.off('data', onData);
        resolve();
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error('bench: the instant target ended before printing "ready"')));
  });
}

// Node's raw child_process: spawn (own group, like the harness), wait for "ready", pause, time
// kill('SIGTERM') -> the 'exit' event.
export function nodeRaw(floor: Floor): ExitSampler {
  return async (n) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const child = spawn(floor.target.command, floor.target.args, { detached: true, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, [MARKER_ENV]: newMarker('node') } });
      const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(performance.now())));
      try {
        await readyOn(child.stdout!);
        await pause();
        const t0 = performance.now();
        child.kill('SIGTERM');
        out.push((await exited) - t0);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    }
    return out;
  };
}

// execa 9: the same (pause included), timing kill('SIGTERM') -> `await subprocess` (its documented way to wait).
export function execaPeer(floor: Floor): ExitSampler {
  return async (n) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const sub = execa(floor.target.command, floor.target.args, { detached: true, stdin: 'ignore', stdout: 'pipe', stderr: 'ignore', buffer: false, reject: false, env: { [MARKER_ENV]: newMarker('execa') } });
      try {
        await readyOn(sub.stdout!);
        await pause();
        const t0 = performance.now();
        sub.kill('SIGTERM');
        await sub;
        out.push(performance.now() - t0);
      } finally {
        if (sub.exitCode === null && sub.signalCode === null) sub.kill('SIGKILL');
      }
    }
    return out;
  };
}

export interface HarnessExitSamples {
  timeToExit: number[];
  overhead: number[];
  lifetime: number[];
  lateness: number[];
  // Where the overhead goes: run start -> target spawned, target exit -> run end (sweep, checks,
  // teardown), and the part outside the history (run folder, results, history file).
  preSpawn: number[];
  postExit: number[];
  // postExit = sweep (target exit -> orphan:killed: the orphan scan and killTree, both full /proc
  // passes with environ reads) + close (orphan:killed -> run:end: teardown, output, checks).
  sweep: number[];
  close: number[];
  outside: number[];
  failures: string[];
}

// The run the harness's exit figures time: launch, ready on the log line, SIGTERM 10 ms after ready.
export function exitRunSpec(floor: Floor): Record<string, unknown> {
  return {
    target: { command: floor.target.command, args: floor.target.args, ready: { log: '^ready$', intervalMs: 1 } },
    strike: { at: { afterReadyMs: STRIKE_DELAY_MS }, signal: 'SIGTERM', deliver: 'process', escalate: { afterMs: 5_000 } },
    expect: { exit: { codes: [0] } },
    timeoutMs: 15_000,
  };
}

// The harness itself: `n` full runs (launch, ready on the log line, strike SIGTERM 10 ms after
// ready, exit, sweep, checks) of the instant target. Per run: the reported timeToExitMs, the
// per-run overhead (run wall time − the target's own spawn→exit), and the strike lateness.
export async function harnessExit(runner: HarnessRunner, floor: Floor, n: number): Promise<HarnessExitSamples> {
  const out: HarnessExitSamples = { timeToExit: [], overhead: [], lifetime: [], lateness: [], preSpawn: [], postExit: [], sweep: [], close: [], outside: [], failures: [] };
  for (let i = 0; i < n; i++) {
    const s = await runner.run('bench/exit-detect', exitRunSpec(floor));
    const tte = s.result.metrics.timeToExitMs;
    const life = targetLifetime(s.events);
    if (s.result.verdict !== 'pass' || typeof tte !== 'number' || life === undefined || s.result.durationMs === undefined) {
      out.failures.push(whyNotPassed(s));
      continue;
    }
    out.timeToExit.push(tte);
    out.lifetime.push(life);
    out.overhead.push(s.result.durationMs - life);
    out.lateness.push(...strikeLateness(s.events));
    const at = (type: string): number | undefined => s.events.find((e) => e.type === type)?.t;
    const [start, spawned, exit, end] = [at('run:start'), at('target:spawned'), at('target:exit'), at('run:end')];
    if (start !== undefined && spawned !== undefined && exit !== undefined && end !== undefined) {
      out.preSpawn.push(spawned - start);
      out.postExit.push(end - exit);
      out.outside.push(s.result.durationMs - (end - start));
      const swept = at('orphan:killed');
      if (swept !== undefined) {
        out.sweep.push(swept - exit);
        out.close.push(end - swept);
      }
    }
  }
  return out;
}
