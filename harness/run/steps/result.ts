import path from 'node:path';
import { round3 } from '../../clock.js';
import { errorMessage, isHarnessError } from '../../errors.js';
import { computeMetrics } from '../../metrics/core.js';
import { judgeOutcome, markOf } from '../../report/outcome.js';
import { replayCommandOf } from '../../report/replay.js';
import type { RunResult } from '../../report/types.js';
import { judgeRun } from '../judge-run.js';
import type { RunPlan } from '../plan.js';
import type { AttemptOutcome } from './context.js';

// The run's result from its last attempt: judged from the history against the filled spec (the
// one saved as spec.json that `shutdown-drill report DIR` re-judges: the same history gets the
// same verdict both ways); an attempt that failed is an `error` saying why. Pure but for the clock.
export function resultOf(plan: RunPlan, outcome: AttemptOutcome, run: { runDirRel: string; started: number; startedAt: string; attempt: number }): RunResult {
  // A history that could not be written (disk full, write denied) makes the run an error.
  if (!outcome.error && !outcome.skipped && outcome.history.writeError) outcome.error = outcome.history.writeError;
  const events = outcome.history.events();
  const judged = outcome.skipped ? undefined : judgeRun(outcome.spec ?? plan.spec, events);
  const checks = judged?.checks ?? [];
  const verdict = outcome.skipped ? 'skipped' : outcome.error ? 'error' : judged!.verdict;
  const exit = events.find((e) => e.type === 'target:exit');
  // Root causes come with the judgement (null when every check passed, and for a skipped run).
  const rootCause = judged?.rootCause ?? null;
  const reason = outcome.skipped ?? (outcome.error ? errorMessage(outcome.error) : verdict === 'error' && checks.length === 0 ? 'the scenario asks for no check: add expectations under `expect`' : undefined);
  const mark = markOf(plan.spec.expect.fails);
  const gate = judgeOutcome({ verdict, checks, ...(reason ? { reason } : {}) }, mark);
  return {
    id: plan.id,
    scenario: plan.scenario,
    params: plan.params,
    seed: plan.seed,
    repeat: plan.repeat,
    verdict,
    ...(reason ? { reason } : {}),
    ...(outcome.error ? { errorCode: isHarnessError(outcome.error) ? outcome.error.code : 'INTERNAL' } : {}),
    checks,
    metrics: { ...(judged?.metrics ?? computeMetrics(events)), ...(run.attempt > 1 ? { portRetries: run.attempt - 1 } : {}) },
    exit: exit && exit.type === 'target:exit' ? { code: exit.code, signal: exit.signal, shellCode: exit.shellCode, ...(exit.byHarness ? { byHarness: true } : {}) } : null,
    history: path.join(run.runDirRel, 'events.jsonl').split(path.sep).join('/'),
    file: plan.file,
    replay: replayCommandOf(plan),
    durationMs: round3(performance.now() - run.started),
    startedAt: run.startedAt,
    ...(rootCause ? { rootCause } : {}),
    outcome: gate.outcome,
    ...(gate.note ? { outcomeNote: gate.note } : {}),
    ...(mark ? { fails: mark } : {}),
    ...(plan.spec.tags.length ? { tags: plan.spec.tags } : {}),
  };
}
