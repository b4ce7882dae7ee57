import fs from 'node:fs';
import path from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { parseDocument } from 'yaml';
import { HarnessError } from '../errors.js';
import { expandExported, type FileExpansion } from './export.js';
import { loadModulesIsolated } from './isolated-load.js';
import { MAX_RUNS, MAX_TIMER_MS } from './limits.js';
import type { ExpandedRun } from './matrix.js';
import { describeThrown, MAX_DEPTH } from './plain.js';

const SCENARIO_RE = /\.scenario\.(ts|mts|cts|js|mjs|cjs|ya?ml|json)$/;
const MODULE_RE = /\.scenario\.(ts|mts|cts|js|mjs|cjs)$/;

// How long one scenario module may take to import and expand before its loader is stopped
// (override with SHUTDOWN_DRILL_LOAD_TIMEOUT_MS), and how long work it leaves in timers may run
// afterwards to fail late.
export const LOAD_TIMEOUT_MS = 20_000;
const SETTLE_MS = 250;

export interface LoadedRun extends ExpandedRun {
  // The scenario file, relative to the cwd, and its absolute folder (the `{dir}` placeholder).
  file: string;
  dir: string;
}

// The scenario files named by paths, folders (searched recursively for *.scenario.*) and globs,
// sorted and de-duplicated. Problems (a path that does not exist, a glob matching nothing) are
// collected, not thrown.
export function findScenarioFiles(inputs: string[], cwd: string): { files: string[]; problems: string[] } {
  const files = new Set<string>();
  const problems: string[] = [];
  for (const input of inputs) {
    const abs = path.resolve(cwd, input);
    if (isDynamicPattern(input)) {
      const found = globSync(input, { cwd, absolute: true, onlyFiles: true, ignore: ['**/node_modules/**'] });
      if (found.length === 0) problems.push(`${input}: the glob matches no file`);
      for (const f of found) files.add(f);
      continue;
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      problems.push(`${input}: no such file or folder`);
      continue;
    }
    if (stat.isDirectory()) {
      const found = globSync('**/*.scenario.{ts,mts,cts,js,mjs,cjs,yaml,yml,json}', { cwd: abs, absolute: true, ignore: ['**/node_modules/**'] });
      if (found.length === 0) problems.push(`${input}: the folder holds no *.scenario.{ts,yaml,json} file`);
      for (const f of found) files.add(f);
    } else {
      files.add(abs);
    }
  }
  return { files: [...files].sort(), problems };
}

// Loads every scenario file and expands every scenario into runs (at most MAX_RUNS in all).
// YAML and JSON are parsed here; TS and JS modules are imported in an isolated child process
// with a deadline (scenario/isolated-load.ts), so scenario code cannot end, hang or crash the
// harness. Throws HarnessError('SCENARIO_INVALID') listing every problem of every file at once.
export async function loadRuns(inputs: string[], cwd: string): Promise<LoadedRun[]> {
  const { files, problems } = findScenarioFiles(inputs, cwd);
  const byFile = new Map<string, FileExpansion>();
  let left = MAX_RUNS;
  const modules: string[] = [];
  for (const file of files) {
    if (MODULE_RE.test(file)) {
      modules.push(file);
      continue;
    }
    const rel = displayPath(file, cwd);
    let exported: unknown;
    try {
      exported = importScenarioFile(file, rel);
    } catch (error) {
      byFile.set(file, { runs: [], problems: [error instanceof HarnessError ? error.message : `${rel}: cannot load: ${describeThrown(error)}`] });
      continue;
    }
    const expanded = expandExported(exported, rel, { maxRuns: left });
    left -= expanded.runs.length;
    byFile.set(file, expanded);
  }
  // Errors scenario code left behind, said after every file's own problems.
  const stray: string[] = [];
  if (modules.length) {
    const isolated = await loadModulesIsolated(modules, { cwd, maxRuns: left, timeoutMs: loadTimeoutMs(), settleMs: SETTLE_MS, display: (f) => displayPath(f, cwd) });
    for (const [file, expanded] of isolated.byFile) byFile.set(file, expanded);
    stray.push(...isolated.problems);
  }
  const runs: LoadedRun[] = [];
  const names = new Map<string, string>();
  for (const file of files) {
    const expanded = byFile.get(file);
    if (!expanded) continue;
    const rel = displayPath(file, cwd);
    problems.push(...expanded.problems);
    for (const run of expanded.runs) {
      const other = names.get(run.name);
      if (other) problems.push(`${rel}: run "${run.name}" is also defined in ${other}; run names must be unique`);
      names.set(run.name, rel);
      runs.push({ ...run, file: rel, dir: path.dirname(file) });
    }
  }
  problems.push(...stray);
  if (problems.length) {
    throw new HarnessError('SCENARIO_INVALID', `${problems.length} problem${problems.length === 1 ? '' : 's'} in the scenarios:\n  ${problems.join('\n  ')}`, { problems });
  }
  return runs;
}

function loadTimeoutMs(): number {
  const text = process.env['SHUTDOWN_DRILL_LOAD_TIMEOUT_MS'];
  const n = text === undefined ? NaN : Number(text);
  return Number.isInteger(n) && n > 0 && n <= MAX_TIMER_MS ? n : LOAD_TIMEOUT_MS;
}

// A path relative to the cwd when it is inside it, else absolute.
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

// The scenarios of a YAML or JSON file, parsed (never a module: those load in isolation).
export function importScenarioFile(file: string, rel: string = displayPath(file)): unknown {
  if (!SCENARIO_RE.test(file) || MODULE_RE.test(file)) {
    throw new HarnessError('SCENARIO_LOAD_FAILED', `${rel}: not a scenario data file: name it *.scenario.yaml or *.scenario.json (modules load through loadRuns)`);
  }
  const text = fs.readFileSync(file, 'utf8');
  if (/\.ya?ml$/.test(file)) {
    let doc: ReturnType<typeof parseDocument>;
    let value: unknown;
    try {
      doc = parseDocument(text, { prettyErrors: true });
      if (doc.errors.length) {
        throw new HarnessError('SCENARIO_LOAD_FAILED', doc.errors.map((e) => `${rel}: YAML: ${tooDeep(e.message.split('\n')[0]!.replace(/:$/, ''))}`).join('\n  '));
      }
      value = doc.toJS();
    } catch (error) {
      if (error instanceof HarnessError) throw error;
      throw new HarnessError('SCENARIO_LOAD_FAILED', `${rel}: YAML: ${tooDeep(describeThrown(error))}`);
    }
    return value;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    if (error instanceof RangeError) throw new HarnessError('SCENARIO_LOAD_FAILED', `${rel}: JSON: ${tooDeep(error.message)}`);
    // Node's JSON errors carry no position; the YAML parser (JSON is YAML) says where.
    let located: ReturnType<typeof parseDocument>['errors'][number] | undefined;
    try {
      located = parseDocument(text).errors[0];
    } catch {
      located = undefined;
    }
    const pos = /at position (\d+)/.exec((error as Error).message);
    const before = pos ? text.slice(0, Number(pos[1])).split('\n') : undefined;
    const where = located?.linePos?.[0] ? `:${located.linePos[0].line}:${located.linePos[0].col}`
      : before ? `:${before.length}:${before.at(-1)!.length + 1}` : '';
    const why = located && !pos ? located.message.split('\n')[0]!.replace(/:$/, '') : (error as Error).message;
    throw new HarnessError('SCENARIO_LOAD_FAILED', `${rel}${where}: JSON: ${why}`);
  }
}

// A parser's stack overflow, said as what it means for the file.
function tooDeep(message: string): string {
  return /Maximum call stack size exceeded/.test(message) ? `nested too deep to parse (${message}); a scenario is at most ${MAX_DEPTH} levels deep` : message;
}
