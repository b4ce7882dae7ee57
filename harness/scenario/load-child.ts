// The isolated scenario loader: a child process of the harness (see scenario/isolated-load.ts)
// that imports scenario modules (TS through tsx, started with `--import tsx`; JS natively),
// expands them into runs and sends back plain data. Scenario code runs only here, so whatever it
// does (exit, hang, throw from a getter, reject late, crash) ends this process at worst, never
// the harness.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expandExported } from './export.js';
import type { LoaderMessage, LoaderRequest } from './isolated-load.js';

type FileMessage = Extract<LoaderMessage, { type: 'file' }>;
import { describeThrown } from './plain.js';

const send = process.send?.bind(process);
const realExit = process.exit.bind(process);
const realReallyExit = (process as unknown as { reallyExit: (code?: number) => never }).reallyExit;

// The file being imported or expanded, and what scenario code did that it must not.
let current: string | undefined;
const late: string[] = [];
// The errors process.exit() threw, with their entry in `late` (dropped when the import failed
// with that very error: its message says it, with the location).
const exits = new Map<unknown, string>();
let files: string[] = [];
let cwd = process.cwd();

// Says a message; resolves when it has been handed to the channel (never rejects).
function say(message: LoaderMessage): Promise<void> {
  return new Promise((resolve) => {
    try {
      send!(message, undefined, {}, () => resolve());
    } catch {
      resolve();
    }
  });
}

function rel(file: string): string {
  const r = path.relative(cwd, file);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : file;
}

// The scenario file a stack names (as a path or a file URL), else the one being loaded.
function culprit(error: unknown): string | undefined {
  let stack = '';
  try {
    stack = String((error as { stack?: unknown } | null)?.stack ?? '');
  } catch {
    // a throwing `stack` getter names nothing
  }
  return files.find((f) => stack.includes(f) || stack.includes(pathToFileURL(f).href)) ?? current;
}

function leave(code: number): never {
  (process as unknown as { reallyExit: unknown }).reallyExit = realReallyExit;
  return realExit(code);
}

if (!send) {
  process.stderr.write('shutdown-drill: scenario/load-child is started by the harness, not by hand\n');
  leave(2);
}

// Scenario code may not end this process: process.exit() throws instead (its import fails with
// a clear error), and the attempt is recorded even when the code catches that error.
const exitAttempt = (how: string) => (code?: unknown): never => {
  const error = new Error(`the scenario module called ${how}(${code === undefined ? '' : String(code)}); a scenario module must not end the process`);
  const file = culprit(error);
  const entry = `${file ? rel(file) : 'a scenario module'}: ${error.message}`;
  late.push(entry);
  exits.set(error, entry);
  throw error;
};
process.exit = exitAttempt('process.exit') as typeof process.exit;
(process as unknown as { reallyExit: unknown }).reallyExit = exitAttempt('process.reallyExit');
process.abort = exitAttempt('process.abort') as typeof process.abort;

// Errors scenario code leaves behind (a rejection nobody handles, a throw in a timer) are
// problems naming the file, not a crash.
const stray = (kind: string) => (error: unknown): void => {
  const file = culprit(error);
  // Said at once: the harness may stop this process before the next file is done (a hang).
  void say({ type: 'stray', problem: `${file ? rel(file) : 'a scenario module'}: ${kind}: ${describeThrown(error)}; a scenario module must not leave failing work behind` });
};
process.on('unhandledRejection', stray('an unhandled promise rejection'));
process.on('uncaughtException', stray('an uncaught exception'));
// Never outlive the harness: a closed channel ends this process. A watchdog thread does the same
// when the main thread is stuck in scenario code (a busy loop never reads the channel).
process.on('disconnect', () => leave(0));
const parent = process.ppid;
new Worker(`setInterval(() => { if (process.ppid !== ${parent}) process.kill(${process.pid}, 'SIGKILL'); }, 200);`, { eval: true }).unref();

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
}

// The module's scenarios: the default export (a CommonJS module's `exports.default` too), else
// `scenarios`.
async function importModule(file: string): Promise<unknown> {
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown; scenarios?: unknown };
  let value = mod.default ?? mod.scenarios;
  if (value && typeof value === 'object' && Object.getOwnPropertyDescriptor(value, '__esModule')?.value === true) {
    const inner = Object.getOwnPropertyDescriptor(value, 'default') ?? Object.getOwnPropertyDescriptor(value, 'scenarios');
    if (inner && 'value' in inner) value = inner.value;
  }
  return value;
}

process.once('message', (request: LoaderRequest) => {
  void (async () => {
    files = request.files;
    cwd = request.cwd;
    let left = request.maxRuns;
    const baseline = timers();
    await say({ type: 'ready' });
    for (let index = 0; index < files.length; index++) {
      const file = files[index]!;
      current = file;
      await say({ type: 'start', index });
      const name = rel(file);
      const result = await loadOne(file, index, name, left);
      left -= result.runs.length;
      // Exits and stray errors while this file loaded are its problems.
      result.problems.push(...late.splice(0));
      await say(result);
    }
    current = undefined;
    // Work scenario code left in timers gets a short while to fail (a late rejection), then the
    // harness ends this process.
    const settleBy = performance.now() + request.settleMs;
    while (timers() > baseline && performance.now() < settleBy) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setImmediate(r));
    await say({ type: 'end', problems: late.splice(0) });
  })().catch((error: unknown) => say({ type: 'end', problems: [`the scenario loader failed: ${describeThrown(error)}`] }));
});

// One file's runs or problems; never throws.
async function loadOne(file: string, index: number, name: string, maxRuns: number): Promise<FileMessage> {
  let exported: unknown;
  try {
    exported = await importModule(file);
  } catch (error) {
    const entry = exits.get(error);
    if (entry !== undefined && late.includes(entry)) late.splice(late.indexOf(entry), 1);
    return { type: 'file', index, runs: [], problems: [`${name}: cannot import: ${importProblem(error, file)}`] };
  }
  try {
    if (exported === undefined) return { type: 'file', index, runs: [], problems: [`${name}: has no default export: \`export default defineScenario({...})\` (or an array)`] };
    const expanded = expandExported(exported, name, { maxRuns });
    // Only plain data crosses to the harness (the clone fails on anything else).
    return structuredClone({ type: 'file', index, runs: expanded.runs, problems: expanded.problems });
  } catch (error) {
    return { type: 'file', index, runs: [], problems: [`${name}: cannot load: ${describeThrown(error)}`] };
  }
}

// What went wrong importing a scenario module: the error's message (every line) and where in the
// scenario file it was thrown; never the harness's or Node's own stack frames.
function importProblem(error: unknown, file: string): string {
  try {
    const e = (error ?? {}) as { name?: unknown; message?: unknown; stack?: unknown };
    const message = String(e.message ?? error).split('\n').map((l) => l.trim()).filter(Boolean).join(' | ');
    const name = typeof e.name === 'string' && e.name !== 'Error' ? `${e.name}: ` : '';
    const url = pathToFileURL(file).href;
    const frame = String(e.stack ?? '').split('\n').find((l) => /^\s+at /.test(l) && (l.includes(url) || l.includes(file)));
    const at = frame ? /((?:file:\/\/)?\/[^():]+:\d+:\d+)\)?\s*$/.exec(frame)?.[1]?.replace(/^file:\/\//, '') : undefined;
    const shown = at && !path.relative(cwd, at).startsWith('..') ? path.relative(cwd, at) : at;
    return `${name}${message}${shown ? ` (at ${shown})` : ''}`;
  } catch {
    return describeThrown(error);
  }
}
