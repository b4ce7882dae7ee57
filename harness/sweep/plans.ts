import { HarnessError } from '../errors.js';
import type { RunPlan } from '../run/plan.js';
import { paramsText } from '../scenario/matrix.js';
import { SweepSchema, type Params, type SweepAnchor, type SweepSpec, type TriggerSpec } from '../scenario/schema.js';
import { exactIdPattern, shellQuote } from '../report/replay.js';
import type { SweepAnchorValue } from './types.js';

// types.ts writes the anchor out (see there); a schema change that breaks the two apart fails to compile.
const anchorsAgree: [[SweepAnchor] extends [SweepAnchorValue] ? true : false, [SweepAnchorValue] extends [SweepAnchor] ? true : false] = [true, true];
void anchorsAgree;

// True for a run whose strike is a sweep (run by harness/sweep/, not as one run).
export function isSweepPlan(plan: RunPlan): boolean {
  return plan.spec.strike !== undefined && 'sweep' in plan.spec.strike.at;
}

// The sweep of a sweep plan.
export function sweepOf(plan: RunPlan): SweepSpec & { timeoutMs?: number } {
  const at = plan.spec.strike?.at;
  if (!at || !('sweep' in at)) throw new HarnessError('INTERNAL', `run "${plan.id}" has no strike.at.sweep`);
  return { ...at.sweep, ...(at.timeoutMs !== undefined ? { timeoutMs: at.timeoutMs } : {}) };
}

// `ready`, `spawn`, `firstResponse`, or `log /re/`: how offsets are said in names and lines.
export function anchorText(anchor: SweepAnchor): string {
  return typeof anchor === 'string' ? anchor : `log /${anchor.log}/`;
}

// `+412ms`, `+12.5ms`
export function offsetText(offsetMs: number): string {
  return `+${offsetMs}ms`;
}

// The concrete trigger that strikes `offsetMs` after the anchor (an ordinary trigger, so a sweep
// point is an ordinary run).
export function pointTrigger(anchor: SweepAnchor, offsetMs: number, timeoutMs?: number): TriggerSpec {
  const t = timeoutMs === undefined ? {} : { timeoutMs };
  if (anchor === 'ready') return { afterReadyMs: offsetMs, ...t };
  if (anchor === 'spawn') return { afterSpawnMs: offsetMs, ...t };
  if (anchor === 'firstResponse') return { afterResponses: 1, delayMs: offsetMs, ...t };
  return { onLog: anchor.log, stream: 'any', delayMs: offsetMs, ...t };
}

// Problems that make a sweep plan unrunnable, found before anything runs.
export function sweepPlanProblems(plan: RunPlan): string[] {
  const sweep = sweepOf(plan);
  if (sweep.anchor === 'firstResponse' && plan.spec.load.length === 0) {
    return [`${plan.file}: run "${plan.id}": strike.at.sweep.anchor: \`firstResponse\` counts from the load's first completed operation, but the scenario has no \`load\`: add a load or use anchor \`ready\``];
  }
  return [];
}

// One run of a sweep: the plan with its strike at `offsetMs` after the anchor, named
// `<scenario>[...,strike=+412ms]` (`#k` for the k-th run at that offset), with a replay command
// that runs exactly this offset with this seed.
export function pointPlan(plan: RunPlan, options: { offsetMs: number; k: number; seed: number }): RunPlan & { replay: string } {
  const sweep = sweepOf(plan);
  const params: Params = { ...plan.params, strike: offsetText(options.offsetMs) };
  const base = plan.repeat > 1 ? plan.id : plan.name;
  const name = `${base.endsWith(']') ? `${base.slice(0, -1)},` : `${base}[`}strike=${offsetText(options.offsetMs)}]`;
  const strike = { ...plan.spec.strike!, at: pointTrigger(sweep.anchor, options.offsetMs, sweep.timeoutMs) };
  const replay = ['npx', 'shutdown-drill', 'sweep', shellQuote(plan.file), '--grep', shellQuote(exactIdPattern(plan.name)),
    '--at-ms', String(options.offsetMs), ...(sweep.anchor === 'ready' ? [] : ['--anchor', shellQuote(typeof sweep.anchor === 'string' ? sweep.anchor : `log:${sweep.anchor.log}`)]),
    '--seed', String(options.seed)].join(' ');
  return {
    ...plan, id: options.k > 1 ? `${name}#${options.k}` : name, name, params, seed: options.seed, repeat: options.k,
    spec: { ...plan.spec, name, strike }, replay,
  };
}

export interface SweepFlags {
  fromMs?: number;
  toMs?: number;
  resolutionMs?: number;
  repeats?: number;
  maxRuns?: number;
  anchor?: SweepAnchor;
  // Replay one offset: one run there, with the plan's own seed.
  atMs?: number;
}

const FLAG_OF: Record<string, string> = { fromMs: '--from-ms', toMs: '--to-ms', resolutionMs: '--resolution-ms', repeats: '--repeats', maxRuns: '--max-runs', anchor: '--anchor' };

// Parses `--anchor ready|spawn|firstResponse|log:REGEX`.
export function parseAnchor(text: string): SweepAnchor {
  if (text === 'ready' || text === 'spawn' || text === 'firstResponse') return text;
  if (text.startsWith('log:') && text.length > 4) return { log: text.slice(4) };
  throw new HarnessError('USAGE', `--anchor must be ready, spawn, firstResponse or log:REGEX, got "${text}"`);
}

// `shutdown-drill sweep`: every selected run's strike.at becomes a sweep (the flags override the
// scenario's own sweep, if it has one). A matrix `at` key is dropped (the sweep replaces it) and
// runs that then share a name are swept once. Throws USAGE naming every run that cannot be swept.
export function applySweepFlags(plans: RunPlan[], flags: SweepFlags): RunPlan[] {
  const problems: string[] = [];
  const out = new Map<string, RunPlan>();
  for (const plan of plans) {
    const label = `run "${plan.id}" (${plan.file})`;
    if (!plan.spec.strike) {
      problems.push(`${label} has no strike to sweep: give it a \`strike\`, or leave it out (--grep)`);
      continue;
    }
    const at = plan.spec.strike.at;
    const own = 'sweep' in at ? at.sweep : undefined;
    const fromMs = flags.atMs ?? flags.fromMs ?? own?.fromMs;
    const toMs = flags.atMs ?? flags.toMs ?? own?.toMs;
    if (fromMs === undefined || toMs === undefined) {
      problems.push(`${label}: its strike.at is not a sweep: give --from-ms and --to-ms (or write strike.at.sweep in the scenario)`);
      continue;
    }
    const parsed = SweepSchema.safeParse({
      fromMs, toMs, resolutionMs: flags.resolutionMs ?? own?.resolutionMs, anchor: flags.anchor ?? own?.anchor,
      repeats: flags.atMs !== undefined ? 1 : flags.repeats ?? own?.repeats, maxRuns: flags.atMs !== undefined ? 1 : flags.maxRuns ?? own?.maxRuns,
    });
    if (!parsed.success) {
      const flag = (key: string): string => FLAG_OF[key] ?? key;
      problems.push(`${label}: ${parsed.error.issues.map((i) => (i.code === 'custom' ? `--from-ms (${fromMs}) must be <= --to-ms (${toMs})` : `${flag(String(i.path[0]))}: ${i.message}`)).join('; ')}`);
      continue;
    }
    const params = { ...plan.params };
    delete params['at'];
    const name = `${plan.scenario}${Object.keys(params).length ? `[${paramsText(params)}]` : ''}`;
    const id = plan.repeat > 1 ? `${name}#${plan.repeat}` : name;
    if (out.has(id)) continue;
    const timeout = at.timeoutMs === undefined ? {} : { timeoutMs: at.timeoutMs };
    out.set(id, { ...plan, id, name, params, spec: { ...plan.spec, name, strike: { ...plan.spec.strike, at: { sweep: parsed.data, ...timeout } } } });
  }
  if (problems.length) throw new HarnessError('USAGE', `cannot sweep ${problems.length} run(s):\n  ${problems.join('\n  ')}`);
  return [...out.values()];
}
