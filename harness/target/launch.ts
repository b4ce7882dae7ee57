import { spawn, type ChildProcess } from 'node:child_process';
import { exitTime, newExitSlot } from './exit-watch.js';
import { constants as osConstants } from 'node:os';
import { HarnessError } from '../errors.js';
import { joinArgv, type Container } from './containment.js';
import { findExecutable } from './executable.js';
import { findPid1, pid1Argv, type InitSpec } from './pid1.js';
import { HeadTailBuffer, splitLines, type CapturedLine } from './lines.js';
import { readProc } from './proc.js';
import { MARKER_ENV } from './tree.js';

export interface ExitInfo {
  // When the harness saw the exit (run clock, ms).
  t: number;
  code: number | null;
  signal: string | null;
  // What a shell reports: the code, or 128 + the signal's number.
  shellCode: number;
}

export interface LaunchOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  shell: boolean;
  marker: string;
  // The container the process is started in (it joins before its first instruction).
  container: Container;
  // Run as PID 1 of a new PID namespace, behind `init` (see pid1.ts).
  pid1?: { init: InitSpec };
  now: () => number;
  // Lines kept per stream (head and tail halves); the rest is counted.
  outputLines: number;
  onLine: (stream: 'stdout' | 'stderr', line: CapturedLine, keep: boolean) => void;
}

// A launched process, leader of its own process group.
export interface Launched {
  pid: number;
  pgid: number;
  // Where a signal to "the process" goes: the leader, or under pid1 the namespace's PID 1.
  signalPid: number;
  // The leader's start time in clock ticks since boot (0 when unknown): descendants start later.
  start: number;
  spawnT: number;
  // Resolves when the leader has exited (never rejects). Its stdout may stay open (a grandchild
  // holding it): the exit is what counts.
  exited: Promise<ExitInfo>;
  exit: ExitInfo | undefined;
  // Shared with the strike thread, which watches the leader's exit right after a signal
  // (target/exit-watch.ts): the exit is stamped when the first of the two threads saw it.
  exitSlot: SharedArrayBuffer;
  // Reads what is left of the output (waiting at most 200 ms for the pipes to end: a grandchild
  // may hold them open), flushes the tail ring through onLine and returns what was dropped.
  finishOutput(): Promise<Array<{ stream: 'stdout' | 'stderr'; dropped: number; bytes: number }>>;
  // Output lines for an error message: the last few of each stream.
  lastLines(n: number): string[];
}

// The shell's view of an exit: the code, or 128 + signal number.
export function shellCode(code: number | null, signal: string | null): number {
  if (signal) {
    const n = (osConstants.signals as Record<string, number>)[signal];
    return 128 + (n ?? 0);
  }
  return code ?? 0;
}

// Spawns a command in its own process group with the run's marker in its environment, captures its
// output line by line with bounded memory, and timestamps its exit the moment Node sees it.
// Throws HarnessError('TARGET_SPAWN_FAILED') when the command cannot be started.
export async function launch(options: LaunchOptions): Promise<Launched> {
  const { command, args, cwd, env, shell, marker, now, container } = options;
  const pid1 = options.pid1 ? pid1Argv(shell ? '/bin/sh' : command, shell ? ['-c', [command, ...args].join(' ')] : args, options.pid1.init) : undefined;
  const wrapped = pid1 ? joinArgv(container, pid1.command, pid1.args, false) : joinArgv(container, command, args, shell);
  // Through the join script, a missing command would be the script's exit 127: say it as the
  // spawn failure it is, before anything starts.
  const initCommand = options.pid1 && options.pid1.init !== 'none' ? pid1!.args[2] : undefined;
  for (const [what, name] of [['target.command', shell ? undefined : command], ['target.init', initCommand]] as const) {
    if (wrapped.command === command || name === undefined || findExecutable(name, cwd, env['PATH'] ?? process.env['PATH'] ?? '')) continue;
    throw new HarnessError('TARGET_SPAWN_FAILED', `cannot start \`${name}\` in ${cwd}: spawn ${name} ENOENT (not found${name.includes('/') ? ' or not executable' : ' on PATH'}). Check ${what} (is it on PATH?)${what === 'target.command' ? ' and target.cwd' : ''}.`);
  }
  // Node's own spawn, not execa: the harness needs none of execa's extras for a target (its output
  // is read line by line, its exit observed raw), and execa's stream and exit handling ran before
  // the 'exit' event reached the harness (0.15-0.25 ms later than raw Node, measured in
  // bench/README.md), and its argument handling cost 0.8 ms per spawn.
  let subprocess: ChildProcess;
  try {
    subprocess = spawn(wrapped.command, wrapped.args, {
      cwd,
      env: { ...process.env, ...env, [MARKER_ENV]: marker },
      shell: wrapped.shell,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch (error) {
    // Invalid arguments (a NUL byte in an argument or the environment) throw before any process exists.
    throw new HarnessError('TARGET_SPAWN_FAILED', `cannot start \`${command}\`${cwd ? ` in ${cwd}` : ''}: ${(error as Error).message}. Check target.command, target.args and target.env.`, { cause: error });
  }
  const spawnT = now();

  // The exit is stamped in the first 'exit' listener, before any other code sees the event, or
  // earlier when the strike thread saw the leader a zombie first (target/exit-watch.ts).
  let exitInfo: ExitInfo | undefined;
  const exitSlot = newExitSlot();
  const exited = new Promise<ExitInfo>((resolve) => {
    subprocess.prependOnceListener('exit', (code, signal) => {
      const t = exitTime(exitSlot, now());
      exitInfo = { t, code, signal, shellCode: shellCode(code, signal) };
      resolve(exitInfo);
    });
  });

  const pid = await new Promise<number>((resolve, reject) => {
    subprocess.once('spawn', () => resolve(subprocess.pid!));
    subprocess.once('error', (error) => {
      reject(new HarnessError('TARGET_SPAWN_FAILED', `cannot start \`${command}\`${cwd ? ` in ${cwd}` : ''}: ${error.message}. Check target.command (is it on PATH?) and target.cwd.`, { cause: error }));
    });
  });
  // An 'error' after the spawn (a failed kill(), a pipe error) never throws: the exit is what counts.
  subprocess.on('error', () => {});

  const start = readProc(pid)?.start ?? 0;
  container.attach({ pid, pgid: pid, start, marker });
  const signalPid = pid1 ? (await findPid1(pid)) ?? pid : pid;

  const half = Math.max(1, Math.floor(options.outputLines / 2));
  const buffers = { stdout: new HeadTailBuffer(half, half), stderr: new HeadTailBuffer(half, half) };
  const recent: string[] = [];
  const readers = (['stdout', 'stderr'] as const).map((stream) => {
    const source = subprocess[stream];
    if (!source) return { finish: () => {} };
    return splitLines(source, {
      now,
      onLine: (line) => {
        recent.push(`[${stream}] ${line.line}`);
        if (recent.length > 50) recent.shift();
        options.onLine(stream, line, buffers[stream].offer(line));
      },
    });
  });

  let finished = false;
  return {
    pid,
    pgid: pid,
    signalPid,
    start,
    spawnT,
    exited,
    exitSlot,
    get exit() {
      return exitInfo;
    },
    async finishOutput() {
      if (finished) return [];
      finished = true;
      const ended = (stream: NodeJS.ReadableStream | null): Promise<void> =>
        !stream || (stream as { readableEnded?: boolean }).readableEnded ? Promise.resolve() : new Promise((resolve) => {
          stream.once('end', resolve);
          stream.once('close', resolve);
        });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([ended(subprocess.stdout), ended(subprocess.stderr)]),
        new Promise((resolve) => (timer = setTimeout(resolve, 200))),
      ]);
      clearTimeout(timer);
      for (const r of readers) r.finish();
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
      const out: Array<{ stream: 'stdout' | 'stderr'; dropped: number; bytes: number }> = [];
      for (const stream of ['stdout', 'stderr'] as const) {
        for (const line of buffers[stream].drainTail()) options.onLine(stream, line, true);
        if (buffers[stream].dropped > 0) out.push({ stream, dropped: buffers[stream].dropped, bytes: buffers[stream].droppedBytes });
      }
      return out;
    },
    lastLines(n: number) {
      return recent.slice(-n);
    },
  };
}

