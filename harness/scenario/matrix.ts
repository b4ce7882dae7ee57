import { unsetDefaultable, type ConfigDefaultable } from '../config/schema.js';
import { MAX_RUNS, runLimitProblems } from './limits.js';
import { mapStrings } from './map-strings.js';
import { describeThrown, jsonDataProblem, PlainDataError, shortPath, toPlain } from './plain.js';
import { formatIssues } from './problems.js';
import { expandPlatform } from './platform.js';
import { RunSpecSchema, ScenarioShapeSchema, type MatrixValue, type Params, type RunSpec } from './schema.js';

// One expanded run of a scenario (before repeats).
export interface ExpandedRun {
  // `<scenario>[k=v,...]`, or the scenario's name when it has no matrix.
  name: string;
  scenario: string;
  params: Params;
  spec: RunSpec;
  // The fields a suite config may fill that the scenario left unset (config/schema.ts).
  unset?: ConfigDefaultable[];
}

const STRIKE_KEYS = ['signal', 'at', 'deliver', 'escalate'] as const;

// Every combination of the matrix, in key order then value order.
export function combinations(matrix: Record<string, MatrixValue[]> | undefined): Params[] {
  let out: Params[] = [{}];
  for (const [key, values] of Object.entries(matrix ?? {})) {
    out = out.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  }
  return out;
}

// `signal=SIGTERM,at=afterReadyMs:500` for a param set.
export function paramsText(params: Params): string {
  return Object.entries(params).map(([k, v]) => `${k}=${valueText(v)}`).join(',');
}

function valueText(v: MatrixValue): string {
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return v.map((x) => valueText(x as MatrixValue)).join('+');
  return Object.entries(v).map(([k, x]) => `${k}:${valueText(x as MatrixValue)}`).join(';');
}

// Expands one scenario object into its runs, validating each; `where` prefixes problems
// (e.g. `scenarios/a.yaml: scenario "x"`). Problems are returned, never thrown. The scenario is
// read once into plain data first (a Proxy, a throwing getter, a cycle or nesting deeper than 64
// levels is a problem naming the field); a matrix whose runs would exceed `maxRuns` (default
// MAX_RUNS) is a problem naming the product, found before anything is expanded.
export function expandScenario(raw: unknown, where: string, options: { maxRuns?: number } = {}): { runs: ExpandedRun[]; problems: string[] } {
  try {
    raw = toPlain(raw);
  } catch (error) {
    return { runs: [], problems: [`${where}: ${error instanceof PlainDataError ? error.text : `cannot read the scenario: ${describeThrown(error)}`}`] };
  }
  const shape = ScenarioShapeSchema.safeParse(raw, { reportInput: true });
  const problems: string[] = shape.success ? [] : formatIssues(shape.error.issues, `${where}: `, raw);
  // With a broken outer shape, still look inside (every problem at once), as one run without a matrix.
  if (!shape.success && (!raw || typeof raw !== 'object' || Array.isArray(raw))) return { runs: [], problems };
  const input = raw as Record<string, unknown>;
  const name = typeof input['name'] === 'string' ? input['name'] : '(unnamed)';
  const matrix = shape.success ? (shape.data.matrix as Record<string, MatrixValue[]> | undefined) : undefined;
  for (const [key, values] of Object.entries(matrix ?? {})) {
    values.forEach((v, i) => {
      const bad = jsonDataProblem(v, ['matrix', key, i]);
      if (bad) problems.push(`${where}: ${bad}`);
    });
  }
  const cap = options.maxRuns ?? MAX_RUNS;
  const sizes = Object.values(matrix ?? {}).map((values) => values.length);
  const product = sizes.reduce((a, b) => a * b, 1);
  if (product > cap) {
    const count = product > Number.MAX_SAFE_INTEGER ? product.toExponential(2) : String(product);
    const what = sizes.length ? `matrix: ${sizes.join(' x ')} = ${count} runs` : '1 run';
    problems.push(product > MAX_RUNS ? `${where}: ${what}, more than the cap of ${MAX_RUNS} runs per suite; split the matrix or drop values`
      : `${where}: ${what} would bring the suite past the cap of ${MAX_RUNS} runs (${cap} left); run the scenarios in smaller suites`);
  }
  if (problems.length && shape.success) return { runs: [], problems };
  const runs: ExpandedRun[] = [];
  for (const params of shape.success ? combinations(matrix) : [{}]) {
    let runName = name;
    let label = `${where}: `;
    let resolved: Record<string, unknown>;
    try {
      const suffix = Object.keys(params).length ? `[${paramsText(params)}]` : '';
      runName = `${name}${suffix}`;
      if (suffix) label = `${where}: run "${runName}": `;
      resolved = resolveRun(input, params);
    } catch (error) {
      problems.push(error instanceof PlainDataError ? `${label}${error.text}`
        : `${label}a scenario function threw: ${error instanceof Error ? error.message : describeThrown(error)}`);
      continue;
    }
    const parsed = RunSpecSchema.safeParse(resolved, { reportInput: true });
    if (!parsed.success) {
      // Top-level problems (and a platform with more or fewer than one key) were already said by the shape check.
      const saidPlatform = !shape.success && shape.error.issues.some((i) => i.path.length === 1 && i.path[0] === 'platform');
      const inner = shape.success ? parsed.error.issues : parsed.error.issues.filter((i) => i.path.length > 0 && i.path[0] !== 'platformExpansion' && !(saidPlatform && i.path.length === 1 && i.path[0] === 'platform'));
      // A platform preset that could not be read set no strike field: its own problem says why.
      const presetFailed = resolved['platform'] !== undefined && resolved['platformExpansion'] === undefined;
      problems.push(...formatIssues(presetFailed ? inner.filter((i) => !(i.path[0] === 'strike' && i.path[1] === 'signal')) : inner, label, resolved));
      continue;
    }
    const limits = runLimitProblems(parsed.data);
    if (limits.length) {
      problems.push(...limits.map((p) => `${label}${shortPath(p.at)}: ${p.message}`));
      continue;
    }
    if (shape.success) runs.push({ name: runName, scenario: name, params, spec: { ...parsed.data, name: runName }, unset: unsetDefaultable(resolved) });
  }
  // The same problem in every combination is said once.
  return { runs, problems: dedupe(problems) };
}

// Calls the scenario's functions with the params, applies strike overrides, fills `{key}`,
// expands the platform preset.
function resolveRun(input: Record<string, unknown>, params: Params): Record<string, unknown> {
  // What a function returns is read once into plain data too (named by the field it fills).
  const call = (v: unknown, key: string): unknown => (typeof v === 'function' ? toPlain((v as (p: Params) => unknown)(structuredClone(params)), [key]) : v);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === 'matrix') continue;
    out[key] = substitute(call(value, key), params);
  }
  const strikeWasFn = typeof input['strike'] === 'function';
  if (!strikeWasFn && out['strike'] && typeof out['strike'] === 'object') {
    const strike = { ...(out['strike'] as Record<string, unknown>) };
    for (const k of STRIKE_KEYS) if (k in params) strike[k] = params[k];
    out['strike'] = strike;
  }
  // A platform preset fills what the scenario (and the matrix) left unset.
  return expandPlatform(out);
}

// Replaces `{key}` for matrix keys in every string (deep); other braces are left alone.
function substitute(value: unknown, params: Params): unknown {
  const keys = Object.keys(params);
  if (keys.length === 0) return value;
  return mapStrings(value, (text) => text.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, k: string) => (k in params ? valueText(params[k]!) : m)));
}

// The same problem in every combination is reported once (the run label is dropped for repeats).
function dedupe(problems: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of problems) {
    const key = p.replace(/run "[^"]*": /, '');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}
