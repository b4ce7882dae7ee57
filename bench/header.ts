import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './paths.js';

// Time to the console header in CI (no TTY): from the spawn of `shutdown-drill run` to its first
// stdout line, beside the floor of any Node CLI of this package (`shutdown-drill --version`:
// the same node boot, none of the planning). One run of test/fixtures/console/slow-drain.
export interface HeaderSample { headerMs: number; versionMs: number }

const CLI = (): string => path.join(repoRoot, 'dist/harness/cli.js');

// Ms from spawn to the first stdout line of `node cli.js args`, and the process's exit.
function firstLineMs(args: string[], signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let at: number | undefined;
    const child = spawn(process.execPath, [CLI(), ...args], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, CI: 'true' }, signal });
    child.stdout.on('data', () => {
      at ??= performance.now() - t0;
    });
    child.on('error', reject);
    child.on('close', () => (at === undefined ? reject(new Error(`no output from shutdown-drill ${args.join(' ')}`)) : resolve(at)));
  });
}

export async function measureHeader(rounds: number, signal: AbortSignal): Promise<HeaderSample[]> {
  const scenario = path.join(repoRoot, 'test/fixtures/console/slow-drain.scenario.yaml');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-header-'));
  const samples: HeaderSample[] = [];
  try {
    for (let i = 0; i < rounds && !signal.aborted; i++) {
      const versionMs = await firstLineMs(['--version'], signal);
      const headerMs = await firstLineMs(['run', scenario, '--out', out], signal);
      samples.push({ headerMs, versionMs });
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
  return samples;
}
