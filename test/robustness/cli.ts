// Runs the built CLI (dist/harness/cli.js, as users run it) as a child process with a test's
// marker in its environment, and collects what it printed. Builds dist first when a source under
// harness/ is newer than it (one build at a time across test processes).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { markedEnv } from '../helpers/oracle.js';

// The repository's root folder.
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The CLI entry point that tests run.
export const CLI = path.join(ROOT, 'dist', 'harness', 'cli.js');
// Folder of the misbehaving target fixtures.
export const MISBEHAVING = path.join(ROOT, 'test', 'fixtures', 'misbehaving');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// Makes sure dist/ is at least as new as harness/ (runs `tsc -p .` under a lock when it is not).
export function ensureBuilt(): void {
  const fresh = (): boolean => fs.existsSync(CLI) && fs.statSync(CLI).mtimeMs >= newestSource(path.join(ROOT, 'harness'));
  if (fresh()) return;
  const lock = path.join(os.tmpdir(), 'shutdown-drill-test-build.lock');
  const deadline = performance.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      try {
        // A lock left by a killed build is stale after two minutes.
        if (Date.now() - fs.statSync(lock).mtimeMs > 120_000) fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      if (performance.now() > deadline) throw new Error(`timed out waiting for the build lock ${lock}`);
      sleepSync(200);
    }
  }
  try {
    if (fresh()) return;
    // tsc emits even when some file has a type error: the test then runs what was built.
    spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT], { cwd: ROOT, stdio: 'ignore', timeout: 170_000 });
    if (!fs.existsSync(CLI)) throw new Error(`the build did not produce ${CLI}: run \`npm run build\``);
    // Mark dist fresh even if tsc left cli.js untouched (no change to it).
    const now = new Date();
    fs.utimesSync(CLI, now, now);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  // Wall time from spawn to exit.
  ms: number;
}

export interface StartedCli {
  child: ChildProcess;
  pid: number;
  done: Promise<CliResult>;
}

// Starts `node dist/harness/cli.js ...args` with DRILL_TEST_MARK=<mark> (and `env`) in its
// environment; `done` resolves when it exits (never rejects). Kept output is capped at 4 MB.
export function startCli(args: string[], options: { mark: string; env?: Record<string, string>; cwd?: string }): StartedCli {
  ensureBuilt();
  const start = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: markedEnv(options.mark, options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const cap = 4_000_000;
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    if (stdout.length < cap) stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < cap) stderr += d;
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - start }));
    child.on('error', (error) => resolve({ code: null, signal: null, stdout, stderr: `${stderr}\nspawn error: ${error.message}`, ms: performance.now() - start }));
  });
  return { child, pid: child.pid!, done };
}

// Runs the CLI to its end; kills it (SIGKILL) when it outlives `timeoutMs`.
export async function runCli(args: string[], options: { mark: string; env?: Record<string, string>; cwd?: string; timeoutMs?: number }): Promise<CliResult> {
  const started = startCli(args, options);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  try {
    return await started.done;
  } finally {
    clearTimeout(timer);
  }
}

// A fresh temp folder, removed by the caller's teardown.
export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `drill-robust-${label}-`));
}

// Writes `text` to <dir>/<name> and returns the path.
export function writeFile(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

// Reads <out>/results.json.
export function readResults(out: string): { status: string; runs: Array<Record<string, any>> } {
  return JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
}

// The events of a run's history (events.jsonl, relative to the out dir).
export function readEvents(out: string, history: string): Array<Record<string, any>> {
  return fs.readFileSync(path.join(out, history), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// A YAML string literal (JSON is valid YAML).
export function y(value: string): string {
  return JSON.stringify(value);
}
