import { types } from 'node:util';
import { MAX_RUNS } from './limits.js';
import { expandScenario, type ExpandedRun } from './matrix.js';
import { describeThrown, MAX_ITEMS, PlainDataError, toPlain } from './plain.js';

// What one scenario file gave: its runs (plain data) and its problems, each line naming the file.
export interface FileExpansion {
  runs: ExpandedRun[];
  problems: string[];
}

// Expands what a scenario file exports (one scenario or an array of them) into runs, at most
// `maxRuns` in all (default MAX_RUNS). `rel` names the file in every problem. Never throws, and
// reads every value of the export at most once (getters, Proxies and cycles become problems).
export function expandExported(exported: unknown, rel: string, options: { maxRuns?: number } = {}): FileExpansion {
  let left = options.maxRuns ?? MAX_RUNS;
  const runs: ExpandedRun[] = [];
  const problems: string[] = [];
  let list: unknown[];
  try {
    list = scenarioList(exported);
  } catch (error) {
    return { runs, problems: [`${rel}: ${error instanceof PlainDataError ? error.message : `cannot read the export: ${describeThrown(error)}`}`] };
  }
  if (list.length === 0) problems.push(`${rel}: exports no scenario`);
  list.forEach((item, i) => {
    const label = `${rel}${list.length > 1 ? `: scenario[${i}]` : ''}${nameOf(item)}`;
    let raw: unknown;
    try {
      raw = toPlain(item);
    } catch (error) {
      problems.push(`${label}: ${error instanceof PlainDataError ? error.text : describeThrown(error)}`);
      return;
    }
    const expanded = expandScenario(raw, label, { maxRuns: Math.max(0, left) });
    problems.push(...expanded.problems);
    runs.push(...expanded.runs);
    left -= expanded.runs.length;
  });
  return { runs, problems };
}

// The export as a list of scenarios, its elements read once.
function scenarioList(exported: unknown): unknown[] {
  if (types.isProxy(exported)) throw new PlainDataError([], 'the default export is a Proxy; export a scenario object (or an array of them) as plain data');
  if (!Array.isArray(exported)) return [exported];
  if (exported.length > MAX_ITEMS) throw new PlainDataError([], `exports ${exported.length} scenarios, more than ${MAX_ITEMS}`);
  const out: unknown[] = [];
  for (let i = 0; i < exported.length; i++) {
    const desc = Object.getOwnPropertyDescriptor(exported, i);
    if (desc?.get) throw new PlainDataError([i], `scenario[${i}] is a getter; export the scenarios as plain data`);
    out.push(desc?.value);
  }
  return out;
}

// ` (scenario "x")` when the scenario has a plain string name (read without running a getter).
function nameOf(raw: unknown): string {
  if (!raw || typeof raw !== 'object' || types.isProxy(raw)) return '';
  const name = Object.getOwnPropertyDescriptor(raw, 'name')?.value as unknown;
  return typeof name === 'string' ? ` (scenario "${name}")` : '';
}
