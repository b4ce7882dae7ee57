// Test helpers: run the built CLI as a real process, and an oracle independent of the harness that
// finds any process still carrying a test's own marker env var.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultsFile } from '../../harness/report/types.js';

// The oracle (independent of the harness) that finds processes still carrying a test's marker.
export { findSurvivors as survivors, killSurvivors, newMark } from './oracle.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'dist/harness/cli.js');
export const FIXTURES = path.join(ROOT, 'test/fixtures');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outDir: string;
  results: ResultsFile | undefined;
}

// A fresh temp folder, removed by the caller's teardown.
export function tempDir(prefix = 'drill-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// Starts the CLI; `done` resolves when it has exited, with its output and results.json.
export function startCli(args: string[], options: { mark: string; outDir?: string; cwd?: string; env?: Record<string, string> }): { child: ChildProcess; done: Promise<CliResult>; outDir: string } {
  const outDir = options.outDir ?? tempDir('drill-out-');
  const fullArgs = args[0] === 'run' && !args.includes('--out') ? [...args, '--out', outDir] : args;
  const child = spawn(process.execPath, [CLI, ...fullArgs], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, CI: '1', DRILL_TEST_MARK: options.mark, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      let results: ResultsFile | undefined;
      try {
        results = JSON.parse(fs.readFileSync(path.join(outDir, 'results.json'), 'utf8')) as ResultsFile;
      } catch {
        results = undefined;
      }
      resolve({ code, signal, stdout, stderr, outDir, results });
    });
  });
  return { child, done, outDir };
}

// Runs the CLI to completion.
export function runCli(args: string[], options: { mark: string; outDir?: string; cwd?: string; env?: Record<string, string> }): Promise<CliResult> {
  return startCli(args, options).done;
}

// Writes a scenario file (YAML text) into a temp folder and returns its path.
export function writeScenario(yaml: string, name = 'test.scenario.yaml'): string {
  const dir = tempDir('drill-scn-');
  const file = path.join(dir, name);
  fs.writeFileSync(file, yaml);
  return file;
}

// Resolves when `predicate` holds for the file's text (a handshake on something the harness
// writes as it happens, e.g. events.jsonl); rejects after `timeoutMs`.
export async function waitForFile(file: string, predicate: (text: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      // not yet
    }
    if (predicate(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${file}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The events of a run from its results entry.
export function runEvents(outDir: string, historyPath: string | null): Array<Record<string, unknown> & { type: string; t: number }> {
  if (!historyPath) return [];
  return fs.readFileSync(path.join(outDir, historyPath), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
