import { fork, type ChildProcess } from 'node:child_process';
import type { FileExpansion } from './export.js';
import type { ExpandedRun } from './matrix.js';

// What the harness asks the loader child (scenario/load-child.ts) to load.
export interface LoaderRequest {
  files: string[];
  cwd: string;
  // Runs left under the suite's cap (limits.ts MAX_RUNS).
  maxRuns: number;
  // How long work left in timers by scenario code may run after the last file, to fail late.
  settleMs: number;
}

// What the loader child says, in this order: ready, then start/file per file, then end.
export type LoaderMessage =
  | { type: 'ready' }
  | { type: 'start'; index: number }
  | { type: 'file'; index: number; runs: ExpandedRun[]; problems: string[] }
  // An error scenario code left behind (an unhandled rejection, a throw in a timer), naming its file.
  | { type: 'stray'; problem: string }
  | { type: 'end'; problems: string[] };

export interface IsolatedLoadOptions {
  cwd: string;
  maxRuns: number;
  // Per file, from its start to its runs (import + expansion).
  timeoutMs: number;
  settleMs: number;
  // The file as problems name it.
  display: (file: string) => string;
}

// How long the loader child may take to start (Node + tsx) before it is given up.
const BOOT_TIMEOUT_MS = 30_000;
// What the child prints (scenario code's console output) is passed to stderr up to this much.
const OUTPUT_LIMIT = 64 * 1024;

// Imports and expands scenario modules in child processes with a deadline per file: one child
// for all files, a new one for the files left after a file ended or hung its child. Scenario
// code never runs in this process. Resolves with each file's runs and problems (a file missing
// from the map could not be loaded and its problem is in `problems`); never rejects, and no child
// outlives the call.
export async function loadModulesIsolated(files: string[], options: IsolatedLoadOptions): Promise<{ byFile: Map<string, FileExpansion>; problems: string[] }> {
  const byFile = new Map<string, FileExpansion>();
  const problems: string[] = [];
  let next = 0;
  let left = options.maxRuns;
  while (next < files.length) {
    const batch = files.slice(next);
    const outcome = await session(batch, { ...options, maxRuns: left }, (i, result) => {
      byFile.set(batch[i]!, result);
      left -= result.runs.length;
    });
    problems.push(...outcome.problems);
    next += Math.max(1, outcome.done);
  }
  return { byFile, problems };
}

function childEntry(): { entry: URL; loader: string } {
  const own = import.meta.url;
  return { entry: new URL(own.endsWith('.ts') ? './load-child.ts' : './load-child.js', own), loader: import.meta.resolve('tsx') };
}

// One loader child over `files`: `done` is how many of them are settled (loaded or failed).
function session(files: string[], options: IsolatedLoadOptions, onFile: (index: number, result: FileExpansion) => void): Promise<{ done: number; problems: string[] }> {
  return new Promise((resolve) => {
    const problems: string[] = [];
    const { entry, loader } = childEntry();
    let child: ChildProcess;
    try {
      child = fork(entry, [], {
        cwd: options.cwd, execArgv: ['--import', loader], serialization: 'advanced',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true,
      });
    } catch (error) {
      resolve({ done: files.length, problems: [`cannot start the scenario loader for ${files.map(options.display).join(', ')}: ${(error as Error).message}`] });
      return;
    }
    let booted = false;
    let current: number | undefined;
    let settled = 0;
    let finished = false;
    let printed = 0;
    let tail = '';
    const output = (chunk: Buffer): void => {
      tail = (tail + chunk.toString('utf8')).slice(-2_000);
      if (printed >= OUTPUT_LIMIT) return;
      const part = chunk.subarray(0, OUTPUT_LIMIT - printed);
      printed += part.length;
      process.stderr.write(part);
      if (printed >= OUTPUT_LIMIT) process.stderr.write('\n[scenario loader output truncated]\n');
    };
    child.stdout!.on('data', output);
    child.stderr!.on('data', output);
    const killGroup = (): void => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    // This process may end while a child loads (process.exit elsewhere): take the child along.
    process.once('exit', killGroup);
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number, onTimeout: () => void): void => {
      clearTimeout(timer);
      timer = setTimeout(onTimeout, ms);
    };
    const lastWords = (): string => {
      const line = tail.split('\n').map((l) => l.trim()).filter(Boolean).at(-1);
      return line ? ` (it last printed: ${JSON.stringify(line.slice(0, 200))})` : '';
    };
    const finish = (done: number): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      killGroup();
      const end = (): void => {
        process.removeListener('exit', killGroup);
        resolve({ done, problems });
      };
      if (child.exitCode !== null || child.signalCode !== null) end();
      else child.once('exit', end);
    };
    arm(BOOT_TIMEOUT_MS, () => {
      problems.push(`cannot start the scenario loader for ${files.map(options.display).join(', ')}: it did not answer within ${BOOT_TIMEOUT_MS} ms${lastWords()}`);
      finish(files.length);
    });
    child.on('error', (error) => {
      if (finished) return;
      problems.push(`the scenario loader failed${current === undefined ? '' : ` while loading ${options.display(files[current]!)}`}: ${error.message}`);
      finish(current === undefined ? files.length : current + 1);
    });
    child.on('message', (m: LoaderMessage) => {
      if (finished || !m || typeof m !== 'object') return;
      if (m.type === 'ready') {
        booted = true;
        clearTimeout(timer);
      } else if (m.type === 'start' && Number.isInteger(m.index) && m.index >= 0 && m.index < files.length) {
        current = m.index;
        const file = options.display(files[m.index]!);
        arm(options.timeoutMs, () => {
          onFile(m.index, { runs: [], problems: [`${file}: did not finish loading within ${options.timeoutMs} ms (a top-level await that never settles, or a loop that never ends?); the scenario loader was stopped. A scenario module must export its scenarios promptly`] });
          finish(m.index + 1);
        });
      } else if (m.type === 'file' && m.index === current) {
        clearTimeout(timer);
        current = undefined;
        settled = m.index + 1;
        if (settled === files.length) {
          // Work left in timers gets settleMs; a loop that never ends does not hang the harness.
          arm(options.settleMs + options.timeoutMs, () => {
            problems.push(`${files.map(options.display).join(', ')}: the scenario loader did not end within ${options.settleMs + options.timeoutMs} ms after loading: scenario code left work that never ends (a loop in a timer?)`);
            finish(files.length);
          });
        }
        const index = m.index;
        onFile(index, wellFormed(m) ? { runs: m.runs, problems: m.problems } : { runs: [], problems: [`${options.display(files[index]!)}: the scenario loader sent malformed runs (does scenario code tamper with the loader?)`] });
      } else if (m.type === 'stray') {
        if (typeof m.problem === 'string') problems.push(m.problem);
      } else if (m.type === 'end') {
        if (Array.isArray(m.problems)) problems.push(...m.problems.filter((p): p is string => typeof p === 'string'));
        finish(files.length);
      }
    });
    child.on('exit', (code, signal) => {
      if (finished) return;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      if (!booted) {
        problems.push(`cannot start the scenario loader for ${files.map(options.display).join(', ')}: it ${how}${lastWords()}`);
        finish(files.length);
      } else if (current !== undefined) {
        onFile(current, { runs: [], problems: [`${options.display(files[current]!)}: ended the scenario loader while loading: it ${how}${lastWords()}. A scenario module must not end the process (process.exit, process.kill, a crash)`] });
        finish(current + 1);
      } else {
        // Between files: scenario code of a file already loaded ended it (which one is unknown).
        const before = files[settled - 1];
        problems.push(`${options.display(before ?? files[0]!)}: the scenario loader ${how} ${before ? 'after loading this file' : 'before loading it'}${lastWords()}: scenario code ended it late (a timer calling process.kill?). A scenario module must not end the process`);
        finish(Math.max(1, settled));
      }
    });
    const request: LoaderRequest = { files, cwd: options.cwd, maxRuns: options.maxRuns, settleMs: options.settleMs };
    child.send(request);
  });
}

function wellFormed(m: { runs: unknown; problems: unknown }): boolean {
  return Array.isArray(m.problems) && m.problems.every((p) => typeof p === 'string')
    && Array.isArray(m.runs) && m.runs.every((r: Partial<ExpandedRun> | null) => !!r && typeof r === 'object' && typeof r.name === 'string' && typeof r.scenario === 'string'
      && !!r.params && typeof r.params === 'object' && !!r.spec && typeof r.spec === 'object' && !!r.spec.target && typeof r.spec.target.command === 'string');
}
