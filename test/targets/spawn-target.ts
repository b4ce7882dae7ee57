// Test helper for the sample targets: spawn one in its own process group, read its output line by
// line, wait for a line (a handshake, never a sleep), signal it, and end it in teardown.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TARGETS = path.join(ROOT, 'targets');

interface Teardownable {
  teardown(fn: () => void | Promise<void>): void;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  // Milliseconds from the first signal sent through `signal()` to the exit (NaN when none was sent).
  msAfterSignal: number;
}

export interface Target {
  child: ChildProcess;
  lines: string[];
  // Resolves with the `count`-th line (past or future) matching `re`; rejects if the target exits
  // first or after `timeoutMs`.
  waitFor(re: RegExp, timeoutMs?: number, count?: number): Promise<string>;
  // Sends a signal to the process, or to its whole group (a terminal's Ctrl+C).
  signal(sig: NodeJS.Signals, to?: 'process' | 'group'): void;
  // Resolves once the process has exited and its output is read (a child holding the pipes open
  // delays it: use `left` for a leader that leaves its child behind).
  exited: Promise<Exit>;
  // Resolves when the process itself has exited.
  left: Promise<Exit>;
  output(): string;
}

// Starts `command args` in a new process group; t.teardown kills the group if it is still alive.
export function spawnTarget(t: Teardownable, command: string, args: string[], options: { cwd?: string } = {}): Target {
  const child = spawn(command, args, { cwd: options.cwd ?? ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  let firstSignalAt: bigint | undefined;
  let alive = true;
  const onData = (stream: NodeJS.ReadableStream): void => {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        lines.push(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        for (const l of [...listeners]) l();
      }
    });
  };
  onData(child.stdout!);
  onData(child.stderr!);
  const left = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      const ms = firstSignalAt === undefined ? NaN : Number(process.hrtime.bigint() - firstSignalAt) / 1e6;
      resolve({ code, signal, msAfterSignal: ms });
    });
  });
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', () => {
      alive = false;
      for (const l of [...listeners]) l();
      void left.then(resolve);
    });
  });
  t.teardown(async () => {
    if (!alive) return;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
  });
  return {
    child,
    lines,
    exited,
    left,
    output: () => lines.join('\n'),
    signal(sig, to = 'process') {
      firstSignalAt ??= process.hrtime.bigint();
      process.kill(to === 'group' ? -child.pid! : child.pid!, sig);
    },
    waitFor(re, timeoutMs = 10_000, count = 1) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`no line matching ${re} within ${timeoutMs} ms; output:\n${lines.join('\n')}`)), timeoutMs);
        const check = (): void => {
          const hit = lines.filter((l) => re.test(l))[count - 1];
          if (hit !== undefined) done(undefined, hit);
          else if (!alive) done(new Error(`the target exited before printing a line matching ${re}; output:\n${lines.join('\n')}`));
        };
        const done = (err?: Error, line?: string): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve(line!);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

// The port from a `ready on 127.0.0.1:PORT` line.
export async function readyPort(target: Target): Promise<number> {
  const line = await target.waitFor(/^ready on 127\.0\.0\.1:\d+/);
  return Number(/:(\d+)/.exec(line)![1]);
}

// A temp dir removed in teardown.
export function tempDir(t: Teardownable, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// True when `command` runs (e.g. python3 --version).
export function hasCommand(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}
