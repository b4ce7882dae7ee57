import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { outcomeOf } from './outcome.js';
import { writeFileAtomicSync } from './atomic.js';
import { RESULTS_SCHEMA_VERSION, type ResultsFile, type RunResult, type SuiteStatus } from './types.js';

// The tool's name and version from package.json.
export function toolInfo(): { name: string; version: string } {
  // Walk up from this module (dist/harness/report or harness/report) to the package's root.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
      if (pkg.name === 'shutdown-drill') return { name: pkg.name, version: pkg.version };
    } catch {
      // keep looking
    }
  }
  return { name: 'shutdown-drill', version: '0.0.0' };
}

// The machine the suite ran on.
export function machineInfo(): ResultsFile['machine'] {
  return { cpus: os.cpus().length, node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}`, cpuModel: os.cpus()[0]?.model ?? 'unknown', hostname: os.hostname() };
}

// A results file for runs so far: `finishedAt` is null while the status is `running`.
export function buildResults(options: { startedAt: string; status: SuiteStatus; runs: RunResult[]; options?: Record<string, unknown> }): ResultsFile {
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: toolInfo(),
    startedAt: options.startedAt,
    finishedAt: options.status === 'running' ? null : new Date().toISOString(),
    status: options.status,
    machine: machineInfo(),
    ...(options.options ? { options: options.options } : {}),
    runs: options.runs,
  };
}

// Writes <outDir>/results.json atomically.
export function writeResults(outDir: string, results: ResultsFile): string {
  const file = path.join(outDir, 'results.json');
  writeFileAtomicSync(file, JSON.stringify(results, null, 2) + '\n');
  return file;
}

// The suite status from its runs' outcomes (the gate's view, see report/outcome.ts): `failed` when
// any run is `unexpected` (failed or errored unmarked, failed in a check its mark does not list,
// errored, or passed although marked: fixed), when a run is `flaky` and `failOnFlaky`, and (fail
// closed) when no run was executed at all (none planned, or every one skipped) unless
// `passWithNoRuns`. Runs without `outcome` (older results) count by their verdict.
export function suiteStatus(runs: readonly RunResult[], options: { passWithNoRuns?: boolean; failOnFlaky?: boolean } = {}): SuiteStatus {
  if (runs.some((r) => outcomeOf(r) === 'unexpected' || (options.failOnFlaky && outcomeOf(r) === 'flaky'))) return 'failed';
  if (!options.passWithNoRuns && executedRuns(runs) === 0) return 'failed';
  return 'passed';
}

// How many runs were executed (not skipped).
export function executedRuns(runs: readonly RunResult[]): number {
  return runs.filter((r) => r.verdict !== 'skipped').length;
}
