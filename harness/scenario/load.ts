import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { parseDocument } from 'yaml';
import { HarnessError } from '../errors.js';
import { expandScenario, type ExpandedRun } from './matrix.js';
import { pathText } from './problems.js';

const SCENARIO_RE = /\.scenario\.(ts|mts|js|mjs|ya?ml|json)$/;

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
      const found = globSync('**/*.scenario.{ts,mts,js,mjs,yaml,yml,json}', { cwd: abs, absolute: true, ignore: ['**/node_modules/**'] });
      if (found.length === 0) problems.push(`${input}: the folder holds no *.scenario.{ts,yaml,json} file`);
      for (const f of found) files.add(f);
    } else {
      files.add(abs);
    }
  }
  return { files: [...files].sort(), problems };
}

// Loads every scenario file and expands every scenario into runs. Throws
// HarnessError('SCENARIO_INVALID') listing every problem of every file at once.
export async function loadRuns(inputs: string[], cwd: string): Promise<LoadedRun[]> {
  const { files, problems } = findScenarioFiles(inputs, cwd);
  const runs: LoadedRun[] = [];
  const names = new Map<string, string>();
  for (const file of files) {
    const rel = displayPath(file, cwd);
    let exported: unknown;
    try {
      exported = await importScenarioFile(file);
    } catch (error) {
      problems.push(error instanceof HarnessError ? error.message : `${rel}: cannot load: ${(error as Error).message}`);
      continue;
    }
    const list = Array.isArray(exported) ? exported : [exported];
    if (list.length === 0) problems.push(`${rel}: exports no scenario`);
    list.forEach((raw, i) => {
      const label = list.length > 1 ? `${rel}: scenario[${i}]${nameOf(raw)}` : `${rel}${nameOf(raw)}`;
      const cycle = cyclePath(raw);
      if (cycle) {
        problems.push(`${label}: ${cycle}: refers back to a field that contains it (a YAML alias inside its own anchor?); a scenario must be plain data without cycles`);
        return;
      }
      const expanded = expandScenario(raw, label);
      problems.push(...expanded.problems);
      for (const run of expanded.runs) {
        const other = names.get(run.name);
        if (other) problems.push(`${rel}: run "${run.name}" is also defined in ${other}; run names must be unique`);
        names.set(run.name, rel);
        runs.push({ ...run, file: rel, dir: path.dirname(file) });
      }
    });
  }
  if (problems.length) {
    throw new HarnessError('SCENARIO_INVALID', `${problems.length} problem${problems.length === 1 ? '' : 's'} in the scenarios:\n  ${problems.join('\n  ')}`, { problems });
  }
  return runs;
}

// A path relative to the cwd when it is inside it, else absolute.
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function nameOf(raw: unknown): string {
  const name = raw && typeof raw === 'object' ? (raw as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? ` (scenario "${name}")` : '';
}

// The default export of a scenario file (TS through tsx, JS by import, YAML and JSON parsed).
export async function importScenarioFile(file: string): Promise<unknown> {
  const rel = displayPath(file);
  if (!SCENARIO_RE.test(file)) {
    throw new HarnessError('SCENARIO_LOAD_FAILED', `${rel}: not a scenario file: name it *.scenario.ts, *.scenario.yaml or *.scenario.json`);
  }
  if (/\.ya?ml$/.test(file)) {
    const doc = parseDocument(fs.readFileSync(file, 'utf8'), { prettyErrors: true });
    if (doc.errors.length) {
      throw new HarnessError('SCENARIO_LOAD_FAILED', doc.errors.map((e) => `${rel}: YAML: ${e.message.split('\n')[0]!.replace(/:$/, '')}`).join('\n  '));
    }
    return doc.toJS();
  }
  if (file.endsWith('.json')) {
    const text = fs.readFileSync(file, 'utf8');
    try {
      return JSON.parse(text);
    } catch (error) {
      // Node's JSON errors carry no position; the YAML parser (JSON is YAML) says where.
      const located = parseDocument(text).errors[0];
      const pos = /at position (\d+)/.exec((error as Error).message);
      const before = pos ? text.slice(0, Number(pos[1])).split('\n') : undefined;
      const where = located?.linePos?.[0] ? `:${located.linePos[0].line}:${located.linePos[0].col}`
        : before ? `:${before.length}:${before.at(-1)!.length + 1}` : '';
      const why = located && !pos ? located.message.split('\n')[0]!.replace(/:$/, '') : (error as Error).message;
      throw new HarnessError('SCENARIO_LOAD_FAILED', `${rel}${where}: JSON: ${why}`);
    }
  }
  let mod: { default?: unknown; scenarios?: unknown };
  try {
    if (/\.m?ts$/.test(file)) {
      const { tsImport } = await import('tsx/esm/api');
      mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as typeof mod;
    } else {
      mod = (await import(pathToFileURL(file).href)) as typeof mod;
    }
  } catch (error) {
    throw new HarnessError('SCENARIO_LOAD_FAILED', `${rel}: cannot import: ${importProblem(error, file)}`, { cause: error });
  }
  const value = mod.default ?? mod.scenarios;
  if (value === undefined) throw new HarnessError('SCENARIO_LOAD_FAILED', `${rel}: has no default export: \`export default defineScenario({...})\` (or an array)`);
  return value;
}

// What went wrong importing a scenario module: the error's message (every line) and where in the
// scenario file it was thrown; never the harness's or Node's own stack frames.
function importProblem(error: unknown, file: string): string {
  const e = (error ?? {}) as { name?: unknown; message?: unknown; stack?: unknown };
  const message = String(e.message ?? error).split('\n').map((l) => l.trim()).filter(Boolean).join(' | ');
  const name = typeof e.name === 'string' && e.name !== 'Error' ? `${e.name}: ` : '';
  const url = pathToFileURL(file).href;
  const frame = String(e.stack ?? '').split('\n').find((l) => /^\s+at /.test(l) && (l.includes(url) || l.includes(file)));
  const at = frame ? /((?:file:\/\/)?\/[^():]+:\d+:\d+)\)?\s*$/.exec(frame)?.[1]?.replace(/^file:\/\//, '') : undefined;
  const shown = at && !path.relative(process.cwd(), at).startsWith('..') ? path.relative(process.cwd(), at) : at;
  return `${name}${message}${shown ? ` (at ${shown})` : ''}`;
}

// The path of the first value that contains itself (plain objects and arrays), if any.
function cyclePath(root: unknown): string | undefined {
  const stack = new Set<unknown>();
  const visit = (v: unknown, at: PropertyKey[]): string | undefined => {
    if (v === null || typeof v !== 'object') return undefined;
    if (stack.has(v)) return pathText(at);
    if (!Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return undefined;
    stack.add(v);
    try {
      for (const [k, x] of Object.entries(v)) {
        const found = visit(x, [...at, Array.isArray(v) ? Number(k) : k]);
        if (found) return found;
      }
    } finally {
      stack.delete(v);
    }
    return undefined;
  };
  return visit(root, []);
}
