import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { combineAttempts, judgeOutcome, markOf } from './report/outcome.js';
import { HarnessError, isHarnessError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { readRunHistory } from './history/run-folder.js';
import { insideDir } from './report/inside.js';
import { describeUnendedRuns } from './report/unended.js';
import { compareResults, formatComparison, loadResults, parseMaxSlowdown, resolveResultsPath } from './report/compare.js';
import { writeCompareHtml } from './report/compare-html.js';
import { endSuite, Multiplexer } from './report/reporter.js';
import { createReporters, selectReporters, type ReporterChoice } from './report/reporters/index.js';
import { resultsRecord } from './report/reporters/json.js';
import { reportersEnabled } from './config/cli.js';
import { loadSuiteConfig } from './config/load.js';
import { mergeResults } from './report/merge.js';
import { suiteStatus } from './report/results.js';
import { selectShard } from './report/shard.js';
import type { ResultsFile, RunResult } from './report/types.js';
import { judgeRun } from './run/judge-run.js';
import type { RunPlan } from './run/plan.js';
import { RunSpecSchema } from './scenario/schema.js';
import { rejudgeSweeps } from './sweep/run.js';
import { settleSweepOutcomes } from './sweep/outcomes.js';

// Commands that build on saved results: compare, merge, report.
export const commandsExtra: Record<string, (args: string[]) => Promise<number>> = { compare, merge, report };

// Deterministic shard selection: round-robin over the runs sorted by id.
export function selectShardPlans(plans: RunPlan[], shard: { index: number; total: number }): RunPlan[] {
  return selectShard(plans, shard, (p) => p.id);
}

// compare BASE CURRENT [--max-slowdown PCT] [--out DIR] [--allow-missing] [--explain]
// compare RESULTS --split PARAM: the two values of PARAM in one (interleaved) run, first vs second.
// Exit 1 on a regression, and (fail closed) when a base scenario is missing from current, unless
// --allow-missing.
async function compare(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { 'max-slowdown': { type: 'string' }, out: { type: 'string' }, split: { type: 'string' }, 'allow-missing': { type: 'boolean' }, explain: { type: 'boolean' } } });
  const maxSlowdownPct = values['max-slowdown'] === undefined ? 20 : parseMaxSlowdown(values['max-slowdown']);
  let base: ResultsFile;
  let current: ResultsFile;
  let outDir: string;
  if (values.split) {
    if (positionals.length !== 1) throw new HarnessError('USAGE', '`compare RESULTS --split PARAM` takes one results file or out dir');
    [base, current] = splitByParam(loadResults(positionals[0]!), values.split);
    outDir = values.out ?? resolveResultsPath(positionals[0]!).dir;
  } else {
    if (positionals.length !== 2) throw new HarnessError('USAGE', `\`compare\` takes BASE and CURRENT (results.json files or out dirs), got ${positionals.length} argument(s)`);
    base = loadResults(positionals[0]!);
    current = loadResults(positionals[1]!);
    outDir = values.out ?? resolveResultsPath(positionals[1]!).dir;
  }
  const comparison = compareResults(base, current, { maxSlowdownPct });
  process.stdout.write(`${formatComparison(comparison, { explain: values.explain === true })}\n`);
  const page = await writeCompareHtml(outDir, comparison);
  process.stdout.write(`  ${page}\n`);
  const missing = comparison.groups.filter((g) => g.verdict === 'missing').map((g) => g.key);
  if (missing.length) {
    const list = `${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` (and ${missing.length - 10} more)` : ''}`;
    if (values['allow-missing']) {
      process.stderr.write(`note: ${missing.length} base scenario(s) missing from current: ${list}; accepted because of --allow-missing\n`);
    } else {
      process.stderr.write(`shutdown-drill: compare: ${missing.length} base scenario(s) missing from current: ${list}; a scenario that did not run is no evidence: run it, or pass --allow-missing to accept the gap\n`);
      return ExitCode.failed;
    }
  }
  return comparison.verdict === 'regression' ? ExitCode.failed : ExitCode.passed;
}

// Splits one results file into two by the value of a matrix param (A/B builds run interleaved in
// one suite), dropping the param from the run ids so the two sides line up.
export function splitByParam(results: ResultsFile, param: string): [ResultsFile, ResultsFile] {
  const valuesSeen: string[] = [];
  for (const r of results.runs) {
    const v = JSON.stringify(r.params[param]);
    if (r.params[param] !== undefined && !valuesSeen.includes(v)) valuesSeen.push(v);
  }
  if (valuesSeen.length !== 2) {
    throw new HarnessError('USAGE', `--split ${param}: expected the runs to have exactly 2 values of \`${param}\`, found ${valuesSeen.length}${valuesSeen.length ? ` (${valuesSeen.join(', ')})` : ''}`);
  }
  const strip = (r: RunResult): RunResult => {
    const params = { ...r.params };
    delete params[param];
    const id = r.id.replace(new RegExp(`([\\[,])${param}=[^,\\]]*,?`), '$1').replace(/,\]/, ']').replace(/\[\]/, '');
    return { ...r, id, params };
  };
  const side = (v: string): ResultsFile => ({ ...results, runs: results.runs.filter((r) => JSON.stringify(r.params[param]) === v).map(strip) });
  return [side(valuesSeen[0]!), side(valuesSeen[1]!)];
}

// The --reporter and --config options of merge and report.
const REPORT_OPTIONS = { reporter: { type: 'string', multiple: true }, config: { type: 'string' } } as const;

// The reporters of --reporter, else the config's file reporters (no console reporter); a bad
// --reporter or config throws USAGE (exit 2) before anything is read.
async function reportChoices(values: { reporter?: string[]; config?: string }): Promise<ReporterChoice[]> {
  return selectReporters(values.reporter, { enabled: reportersEnabled(await loadSuiteConfig(process.cwd(), values.config)), console: false });
}

// Writes a rebuilt results file: results.json first (its errors propagate), then each reporter,
// isolated. Returns the paths written and whether a reporter failed.
async function writeRebuilt(outDir: string, results: ResultsFile, choices: readonly ReporterChoice[]): Promise<{ files: string[]; failed: boolean }> {
  const reporter = new Multiplexer(createReporters(choices, { cwd: process.cwd(), stdout: process.stdout, env: process.env }), { record: resultsRecord(outDir) });
  reporter.onResults(results);
  const files = await endSuite(reporter, results, outDir);
  return { files, failed: reporter.failed.length > 0 };
}

// merge DIR... [--out DIR] [--allow-missing-shards] [--allow-foreign-shards] [--reporter ...]: shard
// outputs into one results.json and report. Fails closed (exit 1, nothing written) on a missing,
// doubled or foreign shard, and exits 1 when a reporter failed.
async function merge(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { out: { type: 'string' }, 'allow-missing-shards': { type: 'boolean' }, 'allow-foreign-shards': { type: 'boolean' }, ...REPORT_OPTIONS } });
  const outDir = path.resolve(values.out ?? 'reports/merged');
  const choices = await reportChoices(values);
  let merged: ResultsFile;
  try {
    merged = await mergeResults(positionals, { outDir, allowMissingShards: values['allow-missing-shards'] === true, allowForeignShards: values['allow-foreign-shards'] === true });
  } catch (error) {
    if (!isHarnessError(error, 'GATE_FAILED')) throw error;
    process.stderr.write(`shutdown-drill: ${error.message}\n`);
    return ExitCode.failed;
  }
  for (const w of merged.gateWaived ?? []) process.stderr.write(`note: merged anyway: ${w}\n`);
  const { files, failed } = await writeRebuilt(outDir, merged, choices);
  process.stdout.write(`merged ${positionals.length} shard(s), ${merged.runs.length} runs (${merged.status})\n${files.map((f) => `  ${f}`).join('\n')}\n`);
  return merged.status === 'passed' && !failed ? ExitCode.passed : ExitCode.failed;
}

// report DIR: re-judge every run from its saved history and spec with the current checks, and
// rebuild results.json and every report (those of --reporter, else the config's file reporters).
// Runs that errored or were skipped keep their verdict. Exit 1 when a reporter failed.
async function report(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: REPORT_OPTIONS });
  const choices = await reportChoices(values);
  if (positionals.length !== 1) throw new HarnessError('USAGE', '`report` takes one out dir (e.g. reports/latest)');
  const { dir } = resolveResultsPath(positionals[0]!);
  let results: ResultsFile;
  try {
    results = loadResults(dir);
  } catch (error) {
    // Refused (exit 2, nothing written); a suite whose harness was killed also says which runs it
    // left unended and what their unmerged load segments hold.
    const unended = isHarnessError(error, 'RESULTS_INVALID') ? describeUnendedRuns(dir) : [];
    if (!unended.length) throw error;
    throw new HarnessError('RESULTS_INVALID', `${(error as Error).message}\n${unended.map((l) => `  ${l}`).join('\n')}`, { cause: error });
  }
  const rejudged = results.runs.map((run) => rejudge(dir, run));
  // As the live suite: a marked sweep's points that pass are expected, a marked sweep without a
  // window is fixed, an unfinished sweep or a window with a failure not marked expected fails.
  const settled = settleSweepOutcomes(results.sweeps ? rejudgeSweeps(results.sweeps, rejudged) : [], rejudged);
  const runs = settled.runs;
  const sweeps = results.sweeps ? settled.sweeps : undefined;
  const outcomeOf = new Map(runs.map((r) => [r.id, r.outcome]));
  const sweepFailed = settled.fixed.length > 0 || (sweeps ?? []).some((s) => s.verdict === 'error' || (s.verdict === 'fail' && s.points.some((p) => p.runs.some((r) => r.verdict !== 'pass' && r.verdict !== 'skipped' && outcomeOf.get(r.run) !== 'expected'))));
  const status = results.status === 'interrupted' ? 'interrupted' : sweepFailed ? 'failed' : suiteStatus(runs, { passWithNoRuns: results.options?.['passWithNoRuns'] === true, failOnFlaky: results.options?.['failOnFlaky'] === true });
  const { files, failed } = await writeRebuilt(dir, { ...results, status, runs, ...(sweeps ? { sweeps } : {}) }, choices);
  const changed = runs.filter((r, i) => r.verdict !== results.runs[i]!.verdict).length;
  process.stdout.write(`re-judged ${runs.length} runs from their histories (${changed} verdict${changed === 1 ? '' : 's'} changed)\n${files.map((f) => `  ${f}`).join('\n')}\n`);
  return status === 'passed' && !failed ? ExitCode.passed : ExitCode.failed;
}

// A run that cannot be re-judged: an error, and so never an outcome the gate lets pass (whatever
// results.json said before).
function refused(run: RunResult, reason: string): RunResult {
  const { outcomeNote: _note, rootCause: _cause, ...rest } = run;
  return { ...rest, verdict: 'error', outcome: 'unexpected', errorCode: 'RESULTS_INVALID', reason, checks: [] };
}

function rejudge(outDir: string, run: RunResult): RunResult {
  if (!run.history || run.verdict === 'skipped' || run.errorCode) return run;
  // Only files inside the out dir are read: a `history` leading elsewhere makes the run an error.
  let historyFile: string;
  try {
    historyFile = insideDir(outDir, run.history);
  } catch (error) {
    return refused(run, (error as Error).message);
  }
  const specFile = path.join(path.dirname(historyFile), 'spec.json');
  // A run whose evidence is gone cannot keep the verdict it had: no data is an error, never a pass.
  const missing = [historyFile, specFile].filter((f) => !fs.existsSync(f));
  if (missing.length) return refused(run, `cannot re-judge: ${missing.map((f) => path.relative(outDir, f)).join(' and ')} missing from ${outDir}`);
  const spec = RunSpecSchema.parse(JSON.parse(fs.readFileSync(specFile, 'utf8')));
  // With every load segment the harness left unmerged beside the history (its harness was killed
  // while the load ran): its operations are judged, and the run is an error, as live.
  const { events, unmerged } = readRunHistory(historyFile);
  const { checks, verdict: checked, metrics, rootCause } = judgeRun(spec, events);
  const lost = unmerged.length ? { errorCode: 'LOAD_RECORD_INCOMPLETE', reason: unmerged.map((u) => u.message).join('\n') } : undefined;
  const verdict = lost ? 'error' : checked;
  // The outcome again, from the new verdict and the mark saved in the spec (earlier attempts kept).
  const mark = markOf(spec.expect.fails);
  const judged = judgeOutcome({ verdict, checks, ...(lost ? { reason: lost.reason } : {}) }, mark);
  const earlier = (run.attempts ?? []).slice(0, -1);
  const outcome = combineAttempts([...earlier.map((a) => a.outcome), judged.outcome]);
  const { rootCause: _oldCause, outcomeNote: _old, fails: _oldMark, ...rest } = run;
  const attempts = run.attempts?.length ? [...earlier, { ...run.attempts.at(-1)!, verdict, outcome: judged.outcome, failedChecks: checks.filter((c) => c.status !== 'pass').map((c) => c.name) }] : undefined;
  return { ...rest, ...(lost ?? {}), checks, verdict, outcome, ...(outcome === 'flaky' && run.outcomeNote ? { outcomeNote: run.outcomeNote } : judged.note ? { outcomeNote: judged.note } : {}), ...(mark ? { fails: mark } : {}), ...(attempts ? { attempts } : {}), metrics: { ...run.metrics, ...metrics }, ...(rootCause ? { rootCause } : {}) };
}
