import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { applyConfigDefaults, type LoadedConfig } from '../config/load.js';
import { HarnessError } from '../errors.js';
import { buildResults, suiteStatus } from '../report/results.js';
import { endSuite, Multiplexer, type Reporter } from '../report/reporter.js';
import { resultsRecord } from '../report/reporters/json.js';
import { suiteIdentity } from '../report/shard.js';
import type { LiveLoad, RunPhase } from '../report/progress.js';
import type { ResultsFile, RunResult, ShardIdentity } from '../report/types.js';
import { MAX_RUNS } from '../scenario/limits.js';
import { loadRuns, type LoadedRun } from '../scenario/load.js';
import { chooseContainment, type Containment } from '../target/containment.js';
import { formatIdentity, selfIdentity } from '../target/identity.js';
import { startReaper, stopReaper, sweepStale } from '../target/reaper.js';
import { stopStriker, warmStriker } from '../inject/striker.js';
import { checkOutDir, lockOutDir, markOutDir } from './out-dir.js';
import type { RunPlan } from './plan.js';
import { mergeAttempts } from '../report/outcome.js';
import { isSweepPlan, sweepPlanProblems } from '../sweep/plans.js';
import { runStrikeSweep, skippedSweep } from '../sweep/run.js';
import { settleSweepOutcomes } from '../sweep/outcomes.js';
import type { SweepResult } from '../sweep/types.js';

export interface SuiteOptions {
  paths: string[];
  cwd: string;
  outDir: string;
  // Selects runs by name (a RegExp, or a linear-time pattern from scenario/regex.ts).
  grep?: { readonly source: string; test(name: string): boolean };
  repeat: number;
  // Base seed: run k of a scenario uses seed + repeat - 1. Random when unset.
  seed?: number;
  concurrency: number;
  bail: boolean;
  shard?: { index: number; total: number };
  // Aborted on the harness's first SIGINT/SIGTERM; `force` on the second.
  signal: AbortSignal;
  force: AbortSignal;
  // Told of the suite as it goes (report/reporter.ts; a Multiplexer for several, whose `failed`
  // then says which failed). Isolated: a reporter that throws never stops the suite. results.json
  // (the record) is written whatever reporter is given.
  reporter?: Reporter;
  onStale?: (stale: Array<{ pid: number; marker: string }>) => void;
  // The containment chosen for this suite (before the first run).
  onContainment?: (containment: Containment) => void;
  // Sweep the leftovers of dead harnesses at the start (default true; --no-sweep turns it off).
  sweep?: boolean;
  // Other options, recorded in results.json.
  recordOptions?: Record<string, unknown>;
  // Picks this shard's runs from the full, ordered list.
  selectShard?: (plans: RunPlan[], shard: { index: number; total: number }) => RunPlan[];
  // The shard's identity (from planSuiteWithShard), recorded in results.json for `merge`.
  shardIdentity?: ShardIdentity;
  // A suite that executed no run (none planned, or all skipped) passes instead of failing.
  passWithNoRuns?: boolean;
  // The suite config file (config/load.ts): its defaults fill the fields runs leave unset.
  config?: LoadedConfig;
  // Selects runs by their scenario's `tags`: a run with any of `tags` (all runs when empty) and
  // none of `excludeTags`.
  tags?: readonly string[];
  excludeTags?: readonly string[];
  // A run whose outcome is unexpected (failed, errored, or a known failure fixed) is run again up
  // to this many times (default 0); each attempt is recorded; a later expected attempt makes it `flaky`.
  retries?: number;
  // A flaky run fails the suite (default: flaky runs are reported but do not fail it).
  failOnFlaky?: boolean;
}

// Expands scenario files into the ordered list of runs (with repeats, seeds, grep and shard).
export async function planSuite(options: Pick<SuiteOptions, 'paths' | 'cwd' | 'grep' | 'repeat' | 'seed' | 'shard' | 'selectShard' | 'config' | 'tags' | 'excludeTags'>): Promise<RunPlan[]> {
  return (await planSuiteWithShard(options)).plans;
}

// The same, with the shard's identity (the whole suite's planned runs hashed) when sharded.
export async function planSuiteWithShard(options: Pick<SuiteOptions, 'paths' | 'cwd' | 'grep' | 'repeat' | 'seed' | 'shard' | 'selectShard' | 'config' | 'tags' | 'excludeTags'>): Promise<{ plans: RunPlan[]; shard?: ShardIdentity }> {
  if (!Number.isInteger(options.repeat) || options.repeat < 1 || options.repeat > MAX_RUNS) {
    throw new HarnessError('USAGE', `--repeat must be an integer from 1 to ${MAX_RUNS} (the cap of runs per suite), got ${options.repeat}`);
  }
  const loaded = applyConfigDefaults(await loadRuns(options.paths, options.cwd), options.config, options.cwd);
  const base = options.seed ?? crypto.randomInt(1, 2 ** 31 - 1);
  const plans: RunPlan[] = [];
  const selected = (options.grep ? loaded.filter((r) => options.grep!.test(r.name)) : loaded).filter((r) => tagsSelect(r.spec.tags, options));
  // The product is checked before anything is repeated.
  if (selected.length * options.repeat > MAX_RUNS) {
    throw new HarnessError('USAGE', `${selected.length} runs x --repeat ${options.repeat} = ${selected.length * options.repeat} runs, more than the cap of ${MAX_RUNS} runs per suite; lower --repeat or select fewer runs (--grep, --shard)`);
  }
  // Repeat-major order (all runs once, then all again, ...): builds or variants compared within one
  // suite are interleaved A B A B, so drifting machine noise falls on both sides alike.
  for (let k = 1; k <= options.repeat; k++) {
    for (const run of selected) plans.push(toPlan(run, k, options.repeat, base));
  }
  if (options.shard) {
    if (!options.selectShard) throw new HarnessError('USAGE', '--shard needs a shard selector');
    const mine = options.selectShard(plans, options.shard);
    const { index, total } = options.shard;
    return { plans: mine, shard: { index, total, suite: suiteIdentity(plans.map((p) => p.id), total), suiteRuns: plans.length, runs: mine.length } };
  }
  return { plans };
}

// True when a run's tags pass --tag (any of them; every run when none given) and --exclude-tag (none of them).
export function tagsSelect(runTags: readonly string[], options: { tags?: readonly string[]; excludeTags?: readonly string[] }): boolean {
  if (options.tags?.length && !options.tags.some((t) => runTags.includes(t))) return false;
  return !options.excludeTags?.some((t) => runTags.includes(t));
}

function toPlan(run: LoadedRun, repeat: number, repeats: number, baseSeed: number): RunPlan {
  return {
    id: repeats > 1 ? `${run.name}#${repeat}` : run.name,
    name: run.name, scenario: run.scenario, params: run.params, spec: run.spec, file: run.file, dir: run.dir,
    repeat, seed: (baseSeed + repeat - 1) % 2 ** 31,
  };
}

// Runs a suite: at most `concurrency` runs at once, telling `reporter` as it goes and, at the end,
// having every reporter write (report/reporter.ts endSuite). results.json (the record,
// report/reporters/json.ts) says `running` from the start (the old one replaced at once) and after
// every run (rewritten atomically), so a killed harness leaves what it knew and never a verdict;
// the last write sets the real status. Never starts a run after
// an interrupt. Refuses an unsafe or busy out dir (OUT_DIR_UNSAFE, OUT_DIR_LOCKED) before touching it.
// Runs whose strike is a sweep are swept after the other runs, one sweep at a time (each runs up
// to `concurrency` runs at once); their runs join `runs[]` and their summaries `sweeps[]`.
export async function runSuite(options: SuiteOptions, allPlans: RunPlan[]): Promise<ResultsFile> {
  const startedAt = new Date().toISOString();
  checkOutDir({ outDir: options.outDir, cwd: options.cwd, scenarioPaths: [...options.paths, ...new Set(allPlans.map((p) => p.file))] });
  const sweepPlans = allPlans.filter(isSweepPlan);
  const plans = allPlans.filter((p) => !isSweepPlan(p));
  const sweepProblems = sweepPlans.flatMap(sweepPlanProblems);
  if (sweepProblems.length) throw new HarnessError('SCENARIO_INVALID', `${sweepProblems.length} invalid sweep(s):\n  ${sweepProblems.join('\n  ')}`, { problems: sweepProblems });
  try {
    fs.mkdirSync(options.outDir, { recursive: true });
    fs.accessSync(options.outDir, fs.constants.W_OK);
  } catch (error) {
    throw new HarnessError('OUT_DIR_UNWRITABLE', `cannot write the output folder ${options.outDir}: ${(error as Error).message}; pass a writable --out DIR`, { cause: error });
  }
  const unlock = lockOutDir(options.outDir);
  process.once('exit', unlock);
  markOutDir(options.outDir);
  const recordOptions = { ...(options.recordOptions ?? {}), ...(options.passWithNoRuns ? { passWithNoRuns: true } : {}), ...(options.failOnFlaky ? { failOnFlaky: true } : {}) };
  const results: Array<RunResult | undefined> = new Array(plans.length);
  const sweepRuns: RunResult[] = [];
  const sweeps: SweepResult[] = [];
  const resultsFile = (status: ResultsFile['status']): ResultsFile => ({
    ...buildResults({ startedAt, status, runs: [...results.filter((r): r is RunResult => r !== undefined), ...sweepRuns], options: recordOptions }),
    ...(options.shardIdentity ? { shard: options.shardIdentity } : {}),
    ...(sweeps.length || sweepPlans.length ? { sweeps } : {}),
  });
  const reporter = new Multiplexer(options.reporter ? [options.reporter] : [], { record: resultsRecord(options.outDir) });
  // A clean slate: an old results.json or run folder must never be mistaken for this suite's.
  reporter.onResults(resultsFile('running'));
  fs.rmSync(path.join(options.outDir, 'runs'), { recursive: true, force: true });

  // Leftovers of harnesses proven dead (never a live one's): off with --no-sweep.
  if (options.sweep !== false) {
    const stale = await sweepStale();
    if (stale.length) options.onStale?.(stale);
  }
  const containment = chooseContainment();
  reporter.onSuiteBegin({ runs: allPlans.length, scenarios: new Set(allPlans.map((p) => p.scenario)).size, containment: containment.level, concurrency: options.concurrency, outDir: options.outDir, cwd: options.cwd });
  options.onContainment?.(containment);
  // The executor (load drivers: autocannon, ws, ...) is loaded only now, after the console's
  // header is out: its imports are most of the CLI's start-up time.
  const { executeRun } = await import('./run-one.js');
  const session = `${formatIdentity(selfIdentity())}:${crypto.randomBytes(4).toString('hex')}:`;
  startReaper(session, containment);
  warmStriker();

  const record = (status: ResultsFile['status']): ResultsFile => {
    const file = { ...resultsFile(status), containment: containment.level };
    reporter.onResults(file);
    return file;
  };
  let next = 0;
  let bailed = false;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (options.signal.aborted || bailed) return;
      const i = next++;
      if (i >= plans.length) return;
      const plan = plans[i]!;
      reporter.onRunBegin(plan);
      const runOptions = { outDir: options.outDir, sessionMarker: session, containment, index: i, signal: options.signal, force: options.force,
        onPhase: (phase: RunPhase, live: () => LiveLoad | undefined) => reporter.onRunPhase(plan, phase, live) };
      const maxAttempts = (options.retries ?? 0) + 1;
      const attempts = [await executeRun(plan, runOptions)];
      while (attempts.length < maxAttempts && attempts.at(-1)!.outcome === 'unexpected' && !options.signal.aborted) {
        reporter.onRunEnd(attempts.at(-1)!, { attempt: attempts.length, maxAttempts, retrying: true });
        attempts.push(await executeRun(plan, { ...runOptions, retry: attempts.length }));
      }
      const result = mergeAttempts(attempts);
      results[i] = result;
      reporter.onRunEnd(result, { attempt: attempts.length, maxAttempts, retrying: false });
      // Bails on what fails the gate: an expected (known) failure does not stop the suite.
      if (options.bail && (result.outcome === 'unexpected' || (result.outcome === 'flaky' && options.failOnFlaky))) bailed = true;
      record('running');
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, plans.length)) }, worker));
    let index = plans.length;
    for (const plan of sweepPlans) {
      if (options.signal.aborted || bailed) break;
      sweeps.push(await runStrikeSweep(plan, {
        concurrency: options.concurrency, stopped: () => options.signal.aborted,
        onProgress: (text) => reporter.onNote(text),
        execute: async (point) => {
          reporter.onRunBegin(point);
          const result = { ...(await executeRun(point, { outDir: options.outDir, sessionMarker: session, containment, index: index++, signal: options.signal, force: options.force,
            onPhase: (phase: RunPhase, live: () => LiveLoad | undefined) => reporter.onRunPhase(point, phase, live) })), replay: point.replay };
          sweepRuns.push(result);
          reporter.onRunEnd(result, { attempt: 1, maxAttempts: 1, retrying: false });
          record('running');
          return result;
        },
      }));
      record('running');
    }
  } finally {
    await containment.dispose();
    await Promise.all([stopReaper(), stopStriker()]);
    unlock();
  }
  // Runs that never started say why.
  const why = options.signal.aborted ? 'the harness was interrupted before this run started' : bailed ? 'not run: --bail stopped the suite after a failure' : undefined;
  plans.forEach((plan, i) => {
    if (results[i] || !why) return;
    results[i] = { id: plan.id, scenario: plan.scenario, params: plan.params, seed: plan.seed, repeat: plan.repeat, verdict: 'skipped', outcome: 'skipped', reason: why, checks: [], metrics: {}, exit: null, history: null, file: plan.file };
  });
  if (why) for (const plan of sweepPlans.slice(sweeps.length)) sweeps.push(skippedSweep(plan, why));
  // A marked sweep's points that pass are expected; a marked sweep without a window is fixed.
  const settled = settleSweepOutcomes(sweeps, sweepRuns);
  sweeps.splice(0, sweeps.length, ...settled.sweeps);
  sweepRuns.splice(0, sweepRuns.length, ...settled.runs);
  const done = [...results.filter((r): r is RunResult => r !== undefined), ...sweepRuns];
  // A sweep that could not finish its grid fails the suite (fail closed), and so does one with a
  // window unless every failing run of it was an expected failure (expect.fails).
  const outcomeOf = new Map(sweepRuns.map((r) => [r.id, r.outcome]));
  const sweepFailed = settled.fixed.length > 0 || sweeps.some((s) => s.verdict === 'error' || (s.verdict === 'fail' && s.points.some((p) => p.runs.some((r) => r.verdict !== 'pass' && r.verdict !== 'skipped' && outcomeOf.get(r.run) !== 'expected'))));
  const final = record(options.signal.aborted ? 'interrupted' : sweepFailed ? 'failed' : suiteStatus(done, { passWithNoRuns: options.passWithNoRuns === true, failOnFlaky: options.failOnFlaky === true }));
  await endSuite(reporter, final, options.outDir);
  return final;
}
