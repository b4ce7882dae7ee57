// Runs the built CLI under a child subreaper (test/helpers/subreaper.py), so that whatever a hostile
// target orphans is reaped instead of left as a zombie of PID 1; tells the CLI's own pid and exit.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ResultsFile } from '../../harness/report/types.js';
import { markedEnv } from '../helpers/oracle.js';
import { CLI, ROOT } from './cli.js';

export const SUBREAPER = path.join(ROOT, 'test', 'helpers', 'subreaper.py');

export interface ReapedCli {
  // The CLI's pid (not the subreaper's), once it is known.
  pid: () => Promise<number>;
  // Resolves when the CLI has exited (its code, or the signal that ended it) and the subreaper has
  // reaped every descendant it could (at most 5 s more).
  done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; results: ResultsFile | undefined }>;
}

const SIGNALS: Record<number, string> = { 2: 'SIGINT', 9: 'SIGKILL', 15: 'SIGTERM' };

// Starts `node dist/harness/cli.js ...args` under the subreaper with the test's mark in its env.
export function startReaped(args: string[], options: { mark: string; statusDir: string; outDir?: string; env?: Record<string, string> }): ReapedCli {
  const status = path.join(options.statusDir, `status-${Math.random().toString(36).slice(2)}`);
  const child = spawn('python3', [SUBREAPER, status, process.execPath, CLI, ...args], {
    cwd: ROOT, env: { ...markedEnv(options.mark), CI: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Awaited<ReapedCli['done']>>((resolve) => {
    child.on('close', () => {
      const text = fs.existsSync(status) ? fs.readFileSync(status, 'utf8') : '';
      const m = /^(code|signal) (\d+)$/.exec(text);
      let results: ResultsFile | undefined;
      try {
        results = options.outDir ? (JSON.parse(fs.readFileSync(path.join(options.outDir, 'results.json'), 'utf8')) as ResultsFile) : undefined;
      } catch {
        results = undefined;
      }
      resolve({ code: m?.[1] === 'code' ? Number(m[2]) : null, signal: m?.[1] === 'signal' ? SIGNALS[Number(m[2])] ?? m[2]! : null, stdout, stderr, results });
    });
  });
  const pid = async (): Promise<number> => {
    for (let i = 0; i < 2_000; i++) {
      if (fs.existsSync(`${status}.pid`)) {
        const text = fs.readFileSync(`${status}.pid`, 'utf8');
        if (text) return Number(text);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`the subreaper never said the CLI's pid: ${stderr}`);
  };
  return { pid, done };
}

// Resolves once `file` exists (a handshake the fixture writes); rejects after `timeoutMs`, or when
// the CLI has ended first.
export async function waitForPath(file: string, cli: ReapedCli, timeoutMs = 20_000): Promise<void> {
  const start = performance.now();
  let ended = false;
  void cli.done.then(() => (ended = true));
  while (!fs.existsSync(file)) {
    if (ended) throw new Error(`the CLI ended before ${file} appeared: ${(await cli.done).stderr.slice(0, 600)}`);
    if (performance.now() - start > timeoutMs) throw new Error(`${file} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
