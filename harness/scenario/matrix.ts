import { formatIssues } from './problems.js';
import { RunSpecSchema, ScenarioShapeSchema, type MatrixValue, type Params, type RunSpec } from './schema.js';

// One expanded run of a scenario (before repeats).
export interface ExpandedRun {
  // `<scenario>[k=v,...]`, or the scenario's name when it has no matrix.
  name: string;
  scenario: string;
  params: Params;
  spec: RunSpec;
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
// (e.g. `scenarios/a.yaml: scenario "x"`). Problems are returned, never thrown.
export function expandScenario(raw: unknown, where: string): { runs: ExpandedRun[]; problems: string[] } {
  const shape = ScenarioShapeSchema.safeParse(raw, { reportInput: true });
  if (!shape.success) return { runs: [], problems: formatIssues(shape.error.issues, `${where}: `, raw) };
  const scenario = shape.data;
  const input = raw as Record<string, unknown>;
  const runs: ExpandedRun[] = [];
  const problems: string[] = [];
  for (const params of combinations(scenario.matrix as Record<string, MatrixValue[]> | undefined)) {
    const suffix = Object.keys(params).length ? `[${paramsText(params)}]` : '';
    const name = `${scenario.name}${suffix}`;
    const label = suffix ? `${where}: run "${name}": ` : `${where}: `;
    let resolved: Record<string, unknown>;
    try {
      resolved = resolveRun(input, params);
    } catch (error) {
      problems.push(`${label}a scenario function threw: ${(error as Error).message}`);
      continue;
    }
    const parsed = RunSpecSchema.safeParse(resolved, { reportInput: true });
    if (!parsed.success) {
      problems.push(...formatIssues(parsed.error.issues, label, resolved));
      continue;
    }
    runs.push({ name, scenario: scenario.name, params, spec: { ...parsed.data, name } });
  }
  // The same problem in every combination is said once.
  return { runs, problems: dedupe(problems) };
}

// Calls the scenario's functions with the params, applies strike overrides, fills `{key}`.
function resolveRun(input: Record<string, unknown>, params: Params): Record<string, unknown> {
  const call = (v: unknown): unknown => (typeof v === 'function' ? (v as (p: Params) => unknown)(params) : v);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === 'matrix') continue;
    out[key] = substitute(call(value), params);
  }
  const strikeWasFn = typeof input['strike'] === 'function';
  if (!strikeWasFn && out['strike'] && typeof out['strike'] === 'object') {
    const strike = { ...(out['strike'] as Record<string, unknown>) };
    for (const k of STRIKE_KEYS) if (k in params) strike[k] = params[k];
    out['strike'] = strike;
  }
  return out;
}

// Replaces `{key}` for matrix keys in every string (deep); other braces are left alone.
function substitute(value: unknown, params: Params): unknown {
  const keys = Object.keys(params);
  if (keys.length === 0) return value;
  if (typeof value === 'string') {
    return value.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, k: string) => (k in params ? valueText(params[k]!) : m));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, params));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, params)]));
  }
  return value;
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
