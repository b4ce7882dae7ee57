import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResultsFile } from '../harness/report/types.js';
import { repoRoot } from './paths.js';

export interface SweepRunsMeasure {
  runs: number;
  windows: Array<{ fromMs: number; toMs: number }>;
  maxLatenessMs: number | null;
  lateRuns: number;
  found: boolean;
  wallMs: number;
}

// `sweepRunsToResolve`: the runs one strike-time sweep needs to locate a 200 ms window to 10 ms.
// Runs the CLI (`shutdown-drill run`, --concurrency 1) on test/fixtures/sweep/window.mjs (exits 1
// when SIGTERM lands 400-600 ms after its ready line), swept over 0..1000 ms at resolution 10.
// `found`: exactly one window, each edge within 40 ms of 400 and 600. Rejects when the CLI fails
// to produce a sweep.
export async function measureSweepRuns(signal: AbortSignal): Promise<SweepRunsMeasure> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sweep-'));
  try {
    const file = path.join(dir, 'window.scenario.json');
    fs.writeFileSync(file, JSON.stringify({
      name: 'bench-window',
      target: { command: 'node', args: [path.join(repoRoot, 'test/fixtures/sweep/window.mjs'), '--windows', '400-600'], ready: { log: '^ready$' } },
      strike: { at: { sweep: { fromMs: 0, toMs: 1000, resolutionMs: 10 } }, signal: 'SIGTERM' },
      expect: { exit: { codes: [0] } },
    }));
    const out = path.join(dir, 'out');
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [path.join(repoRoot, 'dist/harness/cli.js'), 'run', file, '--out', out, '--concurrency', '1'], { stdio: 'ignore', env: { ...process.env, CI: '1' } });
      const stop = (): void => void child.kill('SIGINT');
      signal.addEventListener('abort', stop, { once: true });
      child.on('close', () => {
        signal.removeEventListener('abort', stop);
        resolve();
      });
    });
    const wallMs = performance.now() - started;
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as ResultsFile;
    const sweep = results.sweeps?.[0];
    if (!sweep) throw new Error(`the sweep run wrote no sweeps[] (status ${results.status})`);
    const windows = sweep.windows.map((w) => ({ fromMs: w.fromMs, toMs: w.toMs }));
    const found = windows.length === 1 && Math.abs(windows[0]!.fromMs - 400) <= 40 && Math.abs(windows[0]!.toMs - 600) <= 40;
    return { runs: sweep.runs, windows, maxLatenessMs: sweep.maxLatenessMs, lateRuns: sweep.lateRuns, found, wallMs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
