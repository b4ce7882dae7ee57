import fs from 'node:fs';
import path from 'node:path';
import { HarnessError, errorMessage } from '../errors.js';
import { fisherLower, mannWhitneyGreater, summarize, type Summary } from './stats.js';
import { RESULTS_SCHEMA_VERSION, type ResultsFile, type RunResult } from './types.js';

// ---- loading ---------------------------------------------------------------------------------

// Where a results file lives: `file` is the results.json, `dir` the out dir its history paths are
// relative to. Accepts either the file or the out dir.
export function resolveResultsPath(pathOrDir: string): { file: string; dir: string } {
  const resolved = path.resolve(pathOrDir);
  let isDir = false;
  try {
    isDir = fs.statSync(resolved).isDirectory();
  } catch (error) {
    throw new HarnessError('RESULTS_INVALID', `results: ${JSON.stringify(pathOrDir)} does not exist (${errorMessage(error)}); pass a results.json or the out dir of \`shutdown-drill run\` (default reports/latest)`, { cause: error });
  }
  const file = isDir ? path.join(resolved, 'results.json') : resolved;
  return { file, dir: path.dirname(file) };
}

const VERDICTS = new Set(['pass', 'fail', 'error', 'skipped']);
const FINISHED = new Set(['passed', 'failed', 'interrupted', 'error']);
const OUTCOMES = new Set(['expected', 'unexpected', 'flaky', 'skipped']);

// Reads and validates a results.json (or the one in an out dir). Throws HarnessError('RESULTS_INVALID')
// listing every problem when the file is missing, not JSON (truncated), of an unknown schemaVersion,
// malformed, without a finished `status`, or of a suite still `running` (or whose harness was killed).
export function loadResults(pathOrDir: string): ResultsFile {
  const { file } = resolveResultsPath(pathOrDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new HarnessError('RESULTS_INVALID', `results: cannot read ${file} (${errorMessage(error)}); pass a results.json or an out dir that holds one (written by \`shutdown-drill run --out DIR\`)`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new HarnessError('RESULTS_INVALID', `results: ${file} is not valid JSON (${errorMessage(error)}); it may be truncated: re-run the suite or rebuild it with \`shutdown-drill report DIR\``, { cause: error });
  }
  return validateResults(data, file);
}

// Validates parsed results.json data (`where` names the source in messages); fills defaults for
// optional fields an older writer may have left out.
export function validateResults(data: unknown, where: string): ResultsFile {
  const fail = (problems: string[]): never => {
    const shown = problems.slice(0, 20);
    const more = problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : '';
    throw new HarnessError('RESULTS_INVALID', `results: ${where} is not a valid shutdown-drill results file: ${shown.join('; ')}${more}`, { problems });
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return fail([`expected a JSON object, got ${Array.isArray(data) ? 'an array' : typeof data}`]);
  }
  const obj = data as Record<string, unknown>;
  const version = obj['schemaVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return fail([`\`schemaVersion\` must be an integer (this tool reads ${RESULTS_SCHEMA_VERSION}), got ${JSON.stringify(version)}; is this a results.json written by shutdown-drill?`]);
  }
  if (version > RESULTS_SCHEMA_VERSION) {
    return fail([`\`schemaVersion\` is ${version} but this shutdown-drill reads up to ${RESULTS_SCHEMA_VERSION}; upgrade shutdown-drill to read it`]);
  }
  if (version < 1) return fail([`\`schemaVersion\` must be >= 1, got ${version}`]);
  // A suite still running (or whose harness was killed) has no verdict: never judge it.
  if (obj['status'] === 'running') {
    throw new HarnessError('RESULTS_INVALID', `results: ${where} is of a suite that is still running or whose harness was killed (status "running", started ${JSON.stringify(obj['startedAt'])}); its runs are incomplete and carry no suite verdict: wait for the suite to end, or re-run it`);
  }
  const problems: string[] = [];
  if (!FINISHED.has(obj['status'] as string)) {
    problems.push(`\`status\` must be one of ${[...FINISHED].join(', ')}, got ${JSON.stringify(obj['status'])}; a results.json without its status was not finished by shutdown-drill: re-run the suite`);
  }
  if (!Array.isArray(obj['runs'])) {
    return fail([...problems, `\`runs\` must be an array, got ${JSON.stringify(obj['runs'])?.slice(0, 40) ?? 'undefined'}`]);
  }
  const runs = obj['runs'] as unknown[];
  runs.forEach((raw, i) => {
    const at = `runs[${i}]`;
    if (typeof raw !== 'object' || raw === null) {
      problems.push(`${at} must be an object, got ${JSON.stringify(raw)}`);
      return;
    }
    const run = raw as Record<string, unknown>;
    if (typeof run['id'] !== 'string' || run['id'] === '') problems.push(`${at}.id must be a non-empty string, got ${JSON.stringify(run['id'])}`);
    if (!VERDICTS.has(run['verdict'] as string)) problems.push(`${at}.verdict must be one of pass, fail, error, skipped, got ${JSON.stringify(run['verdict'])}`);
    if (run['checks'] !== undefined && !Array.isArray(run['checks'])) problems.push(`${at}.checks must be an array, got ${typeof run['checks']}`);
    if (run['metrics'] !== undefined && (typeof run['metrics'] !== 'object' || run['metrics'] === null)) problems.push(`${at}.metrics must be an object, got ${JSON.stringify(run['metrics'])}`);
    if (run['repeat'] !== undefined && typeof run['repeat'] !== 'number') problems.push(`${at}.repeat must be a number, got ${JSON.stringify(run['repeat'])}`);
    // `outcome` is optional (results written before outcomes existed lack it: see report/outcome.ts outcomeOf).
    if (run['outcome'] !== undefined && !OUTCOMES.has(run['outcome'] as string)) problems.push(`${at}.outcome must be one of ${[...OUTCOMES].join(', ')} (or absent), got ${JSON.stringify(run['outcome'])}`);
    if (run['history'] !== undefined && run['history'] !== null && typeof run['history'] !== 'string') problems.push(`${at}.history must be a relative path or null, got ${JSON.stringify(run['history'])}`);
  });
  if (problems.length) return fail(problems);
  const results = obj as unknown as ResultsFile;
  results.tool ??= { name: 'shutdown-drill', version: 'unknown' };
  results.machine ??= { cpus: 0, node: 'unknown', os: 'unknown' };
  results.startedAt ??= '';
  results.finishedAt ??= '';
  for (const run of results.runs) {
    run.scenario ??= run.id;
    run.params ??= {};
    run.seed ??= 0;
    run.repeat ??= 0;
    run.checks ??= [];
    run.metrics ??= {};
    run.exit ??= null;
    run.history ??= null;
  }
  return results;
}

// ---- grouping ----------------------------------------------------------------------------------

// The run id without its repeat suffix: the key that gathers the repeats of one scenario+params.
// Recognised suffixes (the number must equal `repeat` or `repeat + 1`): `#N`, `@N`, `~N`,
// ` (repeat N)`, `[repeat=N]`, and a `repeat=N` item in a trailing `[k=v,...]` list.
export function runGroupKey(run: Pick<RunResult, 'id' | 'repeat'>): string {
  const id = run.id;
  const repeat = typeof run.repeat === 'number' ? run.repeat : undefined;
  const matches = (n: string): boolean => repeat === undefined || Number(n) === repeat || Number(n) === repeat + 1;
  let m = /^(.*?)\s*[#@~]\s*(\d+)$/.exec(id);
  if (m && m[1] && matches(m[2]!)) return m[1];
  m = /^(.*?)\s*[([]\s*(?:repeat|rep)\s*[=:# ]?\s*(\d+)\s*[)\]]$/i.exec(id);
  if (m && m[1] && matches(m[2]!)) return m[1];
  m = /^(.*)\[([^\]]*)\]$/.exec(id);
  if (m) {
    const items = m[2]!.split(',');
    const kept = items.filter((item) => {
      const r = /^\s*(?:repeat|rep)\s*=\s*(\d+)\s*$/i.exec(item);
      return !(r && matches(r[1]!));
    });
    if (kept.length !== items.length) return kept.length ? `${m[1]}[${kept.join(',')}]` : m[1]!;
  }
  return id;
}

// ---- comparing ---------------------------------------------------------------------------------

export type ComparedMetric = 'timeToExitMs' | 'drainMs';
export const COMPARED_METRICS: readonly ComparedMetric[] = ['timeToExitMs', 'drainMs'];

export interface CompareOptions {
  // A median slower by more than this percentage of the base median (and by more than the noise)
  // is a regression.
  maxSlowdownPct: number;
  // Shifts of the median smaller than this are never judged (timer and scheduler noise). Default 5.
  minShiftMs?: number;
  // Significance level of the one-sided tests. Default 0.05.
  alpha?: number;
  // At least this many samples on each side before the rank test is used. Default 3.
  minSamplesForTest?: number;
}

export interface MetricComparison {
  metric: ComparedMetric;
  base: Summary;
  current: Summary;
  baseValues: number[];
  currentValues: number[];
  // current median - base median (ms), and as a percentage of the base median.
  deltaMs: number | null;
  changePct: number | null;
  // One-sided Mann-Whitney p-values (null when the test was not used).
  pSlower: number | null;
  pFaster: number | null;
  verdict: 'slower' | 'faster' | 'same' | 'no-data';
  // 'low' when a side had fewer samples than the test needs (judged on the threshold + no overlap).
  confidence: 'normal' | 'low';
  reason: string;
}

export interface PassRate {
  runs: number;
  judged: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  // passed / judged (skipped runs excluded); null when nothing was judged.
  rate: number | null;
}

export type GroupVerdict = 'regression' | 'improvement' | 'unchanged' | 'new' | 'missing';

export interface GroupComparison {
  key: string;
  scenario: string;
  base: PassRate | null;
  current: PassRate | null;
  // current rate - base rate (fraction, -1..1); null when either side has none.
  passRateChange: number | null;
  passRateVerdict: 'worse' | 'better' | 'same' | 'no-data';
  metrics: MetricComparison[];
  verdict: GroupVerdict;
  reasons: string[];
}

export interface Comparison {
  verdict: 'regression' | 'ok';
  options: Required<CompareOptions>;
  rule: string;
  base: { startedAt: string; tool: ResultsFile['tool']; machine: ResultsFile['machine']; runs: number };
  current: { startedAt: string; tool: ResultsFile['tool']; machine: ResultsFile['machine']; runs: number };
  groups: GroupComparison[];
  counts: Record<GroupVerdict, number>;
}

// The decision rule, in words, printed with every comparison.
export function describeRule(o: Required<CompareOptions>): string {
  return [
    `A timing (time-to-exit, drain) is slower when the current median exceeds the base median by more than its allowance, max(${o.maxSlowdownPct}% of it, ${o.minShiftMs} ms),`,
    `AND the current samples exceed the base samples each raised by its allowance beyond the noise: with >= ${o.minSamplesForTest} repeats on each side a one-sided`,
    `Mann-Whitney U test of current against raised base gives p <= ${o.alpha}; with fewer, every current sample must exceed every raised base sample`,
    `(low confidence: use --repeat). Faster is judged the same way, downwards.`,
    `A pass rate is worse when it drops from 100% (pass -> fail), or drops with a one-sided Fisher exact p <= ${o.alpha}.`,
    `A scenario regresses when its pass rate is worse or a timing is slower; skipped and errored runs carry no timings.`,
  ].join(' ');
}

// Compares two results files scenario by scenario (runs grouped by runGroupKey). Pure; never throws
// on data, only on options (HarnessError('USAGE')).
export function compareResults(base: ResultsFile, current: ResultsFile, options: CompareOptions): Comparison {
  const o = normalizeOptions(options);
  const baseGroups = groupRuns(base.runs);
  const currentGroups = groupRuns(current.runs);
  const keys = [...baseGroups.keys()];
  for (const key of currentGroups.keys()) if (!baseGroups.has(key)) keys.push(key);
  const groups = keys.map((key) => compareGroup(key, baseGroups.get(key) ?? null, currentGroups.get(key) ?? null, o));
  const counts: Record<GroupVerdict, number> = { regression: 0, improvement: 0, unchanged: 0, new: 0, missing: 0 };
  for (const g of groups) counts[g.verdict]++;
  return {
    verdict: counts.regression > 0 ? 'regression' : 'ok',
    options: o,
    rule: describeRule(o),
    base: { startedAt: base.startedAt, tool: base.tool, machine: base.machine, runs: base.runs.length },
    current: { startedAt: current.startedAt, tool: current.tool, machine: current.machine, runs: current.runs.length },
    groups,
    counts,
  };
}

// Parses a `--max-slowdown` value: `20`, `20%` or `0.5%`; throws HarnessError('USAGE') otherwise.
export function parseMaxSlowdown(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(String(text));
  if (!m) throw new HarnessError('USAGE', `\`--max-slowdown\` must be a percentage such as 20 or 20%, got ${JSON.stringify(text)}`);
  return Number(m[1]);
}

function normalizeOptions(options: CompareOptions): Required<CompareOptions> {
  const { maxSlowdownPct, minShiftMs = 5, alpha = 0.05, minSamplesForTest = 3 } = options;
  if (typeof maxSlowdownPct !== 'number' || !Number.isFinite(maxSlowdownPct) || maxSlowdownPct < 0) {
    throw new HarnessError('USAGE', `\`maxSlowdownPct\` (--max-slowdown) must be a percentage >= 0, got ${JSON.stringify(maxSlowdownPct)}; e.g. --max-slowdown 20%`);
  }
  if (!Number.isFinite(minShiftMs) || minShiftMs < 0) throw new HarnessError('USAGE', `\`minShiftMs\` must be a number of ms >= 0, got ${JSON.stringify(minShiftMs)}`);
  if (!(alpha > 0 && alpha < 1)) throw new HarnessError('USAGE', `\`alpha\` must be between 0 and 1, got ${JSON.stringify(alpha)}`);
  if (!Number.isInteger(minSamplesForTest) || minSamplesForTest < 2) throw new HarnessError('USAGE', `\`minSamplesForTest\` must be an integer >= 2, got ${JSON.stringify(minSamplesForTest)}`);
  return { maxSlowdownPct, minShiftMs, alpha, minSamplesForTest };
}

// Runs gathered by group key, in first-seen order.
export function groupRuns(runs: readonly RunResult[]): Map<string, RunResult[]> {
  const groups = new Map<string, RunResult[]>();
  for (const run of runs) {
    const key = runGroupKey(run);
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(run);
  }
  return groups;
}

// Pass counts of a group's runs.
export function passRate(runs: readonly RunResult[]): PassRate {
  let passed = 0, failed = 0, errors = 0, skipped = 0;
  for (const run of runs) {
    if (run.verdict === 'pass') passed++;
    else if (run.verdict === 'fail') failed++;
    else if (run.verdict === 'error') errors++;
    else skipped++;
  }
  const judged = passed + failed + errors;
  return { runs: runs.length, judged, passed, failed, errors, skipped, rate: judged ? passed / judged : null };
}

// The finite values of one metric over the runs that were judged (pass or fail).
export function metricValues(runs: readonly RunResult[], metric: string): number[] {
  const values: number[] = [];
  for (const run of runs) {
    if (run.verdict !== 'pass' && run.verdict !== 'fail') continue;
    const v = run.metrics?.[metric];
    if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
  }
  return values;
}

function compareGroup(key: string, base: RunResult[] | null, current: RunResult[] | null, o: Required<CompareOptions>): GroupComparison {
  const scenario = (current ?? base)![0]!.scenario;
  const baseRate = base ? passRate(base) : null;
  const currentRate = current ? passRate(current) : null;
  const metrics = COMPARED_METRICS.map((metric) => compareMetric(metric, base ? metricValues(base, metric) : [], current ? metricValues(current, metric) : [], o));
  const reasons: string[] = [];
  let passRateChange: number | null = null;
  let passRateVerdict: GroupComparison['passRateVerdict'] = 'no-data';
  if (baseRate?.rate != null && currentRate?.rate != null) {
    passRateChange = currentRate.rate - baseRate.rate;
    passRateVerdict = 'same';
    const pWorse = fisherLower(baseRate.passed, baseRate.judged, currentRate.passed, currentRate.judged);
    const pBetter = fisherLower(currentRate.passed, currentRate.judged, baseRate.passed, baseRate.judged);
    if (currentRate.rate < baseRate.rate && (baseRate.rate === 1 || pWorse <= o.alpha)) {
      passRateVerdict = 'worse';
      reasons.push(`pass rate ${pct(baseRate.rate)} -> ${pct(currentRate.rate)}${baseRate.rate === 1 ? ' (pass -> fail)' : ` (Fisher p=${pWorse.toFixed(3)})`}`);
    } else if (currentRate.rate > baseRate.rate && (currentRate.rate === 1 || pBetter <= o.alpha)) {
      passRateVerdict = 'better';
    }
  }
  let verdict: GroupVerdict;
  if (!base) verdict = 'new';
  else if (!current) verdict = 'missing';
  else {
    for (const m of metrics) if (m.verdict === 'slower') reasons.push(`${m.metric}: ${m.reason}`);
    if (reasons.length) verdict = 'regression';
    else if (passRateVerdict === 'better' || metrics.some((m) => m.verdict === 'faster')) verdict = 'improvement';
    else verdict = 'unchanged';
  }
  if (verdict === 'new') reasons.push('only in current');
  if (verdict === 'missing') reasons.push('only in base');
  return { key, scenario, base: baseRate, current: currentRate, passRateChange, passRateVerdict, metrics, verdict, reasons };
}

function compareMetric(metric: ComparedMetric, baseValues: number[], currentValues: number[], o: Required<CompareOptions>): MetricComparison {
  const b = summarize(baseValues);
  const c = summarize(currentValues);
  const result: MetricComparison = {
    metric, base: b, current: c, baseValues, currentValues,
    deltaMs: null, changePct: null, pSlower: null, pFaster: null, verdict: 'no-data', confidence: 'normal', reason: 'no samples on one side',
  };
  if (b.n === 0 || c.n === 0) return result;
  const delta = c.p50 - b.p50;
  result.deltaMs = delta;
  result.changePct = b.p50 !== 0 ? (delta / Math.abs(b.p50)) * 100 : null;
  const limit = Math.max((o.maxSlowdownPct / 100) * Math.abs(b.p50), o.minShiftMs);
  const tested = b.n >= o.minSamplesForTest && c.n >= o.minSamplesForTest;
  result.confidence = tested ? 'normal' : 'low';
  // The base moved by the allowed slowdown (each sample by max(pct of itself, floor)): the current
  // build regresses only when it is slower than that, beyond the noise.
  const allowance = (v: number): number => Math.max((o.maxSlowdownPct / 100) * Math.abs(v), o.minShiftMs);
  const baseUp = baseValues.map((v) => v + allowance(v));
  const baseDown = baseValues.map((v) => v - allowance(v));
  if (tested) {
    result.pSlower = mannWhitneyGreater(baseUp, currentValues).p;
    result.pFaster = mannWhitneyGreater(currentValues, baseDown).p;
  }
  const beyondNoise = (direction: 1 | -1): boolean =>
    tested
      ? (direction === 1 ? result.pSlower! : result.pFaster!) <= o.alpha
      : direction === 1 ? c.min > Math.max(...baseUp) : c.max < Math.min(...baseDown);
  const shift = `median ${fmtMs(b.p50)} -> ${fmtMs(c.p50)} (${delta >= 0 ? '+' : ''}${fmtMs(delta)}${result.changePct != null ? `, ${delta >= 0 ? '+' : ''}${result.changePct.toFixed(1)}%` : ''})`;
  const noise = tested ? `Mann-Whitney p=${(delta >= 0 ? result.pSlower! : result.pFaster!).toFixed(3)}` : `n=${b.n}/${c.n}, low confidence`;
  if (delta > limit && beyondNoise(1)) {
    result.verdict = 'slower';
    result.reason = `${shift}, over the limit of ${fmtMs(limit)}; ${noise}`;
  } else if (-delta > limit && beyondNoise(-1)) {
    result.verdict = 'faster';
    result.reason = `${shift}; ${noise}`;
  } else {
    result.verdict = 'same';
    result.reason = Math.abs(delta) > limit ? `${shift} is within the noise (${noise})` : `${shift}, within the limit of ${fmtMs(limit)}`;
  }
  return result;
}

// ---- console -----------------------------------------------------------------------------------

// A plain-text table of the comparison (no colour codes) and the overall verdict; the decision
// rule's paragraph only with `explain` (`compare --explain`), else a one-line pointer to it.
export function formatComparison(c: Comparison, options: { explain?: boolean } = {}): string {
  const header = ['scenario', 'runs', 'pass rate', 'time to exit p50', 'drain p50', 'verdict'];
  const rows = c.groups.map((g) => [
    g.key,
    `${g.base?.runs ?? '-'} / ${g.current?.runs ?? '-'}`,
    `${g.base?.rate != null ? pct(g.base.rate) : '-'} -> ${g.current?.rate != null ? pct(g.current.rate) : '-'}`,
    metricCell(g.metrics[0]!),
    metricCell(g.metrics[1]!),
    g.verdict.toUpperCase(),
  ]);
  const widths = header.map((h, i) => Math.min(i === 0 ? 70 : 40, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]): string => cells.map((cell, i) => fit(cell, widths[i]!)).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of rows) out.push(line(row));
  const details = c.groups.filter((g) => g.verdict === 'regression' || g.verdict === 'improvement');
  if (details.length) {
    out.push('');
    for (const g of details) out.push(`${g.verdict === 'regression' ? 'REGRESSION' : 'improvement'} ${g.key}: ${(g.verdict === 'regression' ? g.reasons : g.metrics.filter((m) => m.verdict === 'faster').map((m) => `${m.metric}: ${m.reason}`)).join('; ') || 'pass rate improved'}`);
  }
  out.push('');
  const n = c.counts;
  out.push(`${c.verdict === 'regression' ? 'REGRESSION' : 'OK'}: ${n.regression} regressed, ${n.improvement} improved, ${n.unchanged} unchanged, ${n.new} new, ${n.missing} missing (max slowdown ${c.options.maxSlowdownPct}%)`);
  out.push(options.explain ? `rule: ${c.rule}` : 'rule: --explain prints how slower, faster and worse are decided');
  return out.join('\n') + '\n';
}

function metricCell(m: MetricComparison): string {
  if (m.verdict === 'no-data') {
    if (m.base.n === 0 && m.current.n === 0) return '-';
    return `${m.base.n ? fmtMs(m.base.p50) : '-'} -> ${m.current.n ? fmtMs(m.current.p50) : '-'}`;
  }
  const mark = m.verdict === 'slower' ? ' SLOWER' : m.verdict === 'faster' ? ' faster' : '';
  return `${fmtMs(m.base.p50)} -> ${fmtMs(m.current.p50)} (${m.changePct != null ? `${m.changePct >= 0 ? '+' : ''}${m.changePct.toFixed(0)}%` : 'n/a'})${mark}`;
}

function fit(text: string, width: number): string {
  if (text.length <= width) return text.padEnd(width);
  return '…' + text.slice(text.length - width + 1);
}

// Milliseconds for humans: 0.42ms, 12.3ms, 1234ms.
export function fmtMs(v: number): string {
  if (!Number.isFinite(v)) return '-';
  const a = Math.abs(v);
  return `${a < 10 ? v.toFixed(2) : a < 100 ? v.toFixed(1) : Math.round(v)}ms`;
}

function pct(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}
