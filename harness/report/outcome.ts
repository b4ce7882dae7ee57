import type { RunOutcome, RunResult } from './types.js';
import type { CheckResult } from '../check/types.js';

// The gate's view of one run (Playwright's outcomes); `verdict` stays the truth. The rules:
// - unmarked: pass -> expected; fail or error -> unexpected; skipped -> skipped.
// - marked (`expect.fails`): expected only when the verdict is `fail` and every failed check is
//   listed. Unexpected when it fails in a check that is not listed, when it has an `error` (no
//   evidence is never "as expected"), or when it passes ("fixed: remove the mark").
// - flaky: a run whose first attempt was unexpected and a later attempt (--retries) expected.
export interface OutcomeJudgement {
  outcome: RunOutcome;
  // One line saying why, for every marked run and every unexpected one.
  note?: string;
  // Listed checks that passed (or did not run) while the run failed in others.
  listedNotFailed?: string[];
}

// A run's mark (`expect.fails`, a list of checks or `{ checks, reason?, link? }`) in its one shape.
export function markOf(fails: readonly string[] | { checks: readonly string[]; reason?: string; link?: string } | undefined): { checks: string[]; reason?: string; link?: string } | undefined {
  if (fails === undefined) return undefined;
  if (Array.isArray(fails)) return { checks: [...fails] };
  const f = fails as { checks: readonly string[]; reason?: string; link?: string };
  return { checks: [...f.checks], ...(f.reason !== undefined ? { reason: f.reason } : {}), ...(f.link !== undefined ? { link: f.link } : {}) };
}

// The outcome of one attempt from its verdict, its checks and its mark. Pure.
export function judgeOutcome(run: { verdict: RunResult['verdict']; checks: readonly CheckResult[]; reason?: string }, mark?: { checks: readonly string[] }): OutcomeJudgement {
  const failed = run.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  const errored = run.checks.filter((c) => c.status === 'error').map((c) => c.name);
  if (run.verdict === 'skipped') return { outcome: 'skipped' };
  if (!mark) {
    if (run.verdict === 'pass') return { outcome: 'expected' };
    if (run.verdict === 'error') return { outcome: 'unexpected', note: `error: ${errored.length ? `no evidence for ${errored.join(', ')}` : (run.reason?.split('\n')[0] ?? 'the run could not be completed')}` };
    return { outcome: 'unexpected', note: `failed in ${failed.join(', ') || 'the run'}` };
  }
  const listed = mark.checks;
  const marked = `marked to fail in ${listed.join(', ')}`;
  if (run.verdict === 'pass') return { outcome: 'unexpected', note: `fixed: passes although ${marked}: remove the mark (expect.fails)` };
  if (run.verdict === 'error' || errored.length) {
    const why = errored.length ? `no evidence for ${errored.join(', ')}` : (run.reason?.split('\n')[0] ?? 'the run could not be completed');
    return { outcome: 'unexpected', note: `error although ${marked}: ${why}; no evidence is never "as expected"` };
  }
  const unlisted = failed.filter((n) => !listed.includes(n));
  const listedNotFailed = listed.filter((n) => !failed.includes(n));
  const extra = listedNotFailed.length ? { listedNotFailed } : {};
  const notFailedText = listedNotFailed.length ? `; listed but did not fail: ${listedNotFailed.join(', ')}` : '';
  if (unlisted.length) return { outcome: 'unexpected', note: `failed in ${unlisted.join(', ')}, not listed in expect.fails (${marked})${notFailedText}`, ...extra };
  return { outcome: 'expected', note: `known failure, caught by ${failed.join(', ')}${notFailedText}`, ...extra };
}

// The outcome over a run's attempts (first to last): the last attempt's, except that an unexpected
// first attempt followed by an expected last one is `flaky`.
export function combineAttempts(outcomes: readonly RunOutcome[]): RunOutcome {
  const last = outcomes.at(-1) ?? 'unexpected';
  return outcomes.length > 1 && outcomes[0] === 'unexpected' && last === 'expected' ? 'flaky' : last;
}

// A run's outcome as recorded, or (results written before outcomes existed) derived from its
// verdict alone: pass -> expected, skipped -> skipped, fail/error -> unexpected.
export function outcomeOf(run: Pick<RunResult, 'verdict' | 'outcome'>): RunOutcome {
  if (run.outcome === 'expected' || run.outcome === 'unexpected' || run.outcome === 'flaky' || run.outcome === 'skipped') return run.outcome;
  return run.verdict === 'pass' ? 'expected' : run.verdict === 'skipped' ? 'skipped' : 'unexpected';
}

// One run result from its attempts (first to last, as --retries ran them): the last attempt's
// result, its outcome combined over all of them (`flaky` when a failure was then fixed by a
// retry), and every attempt recorded under `attempts`.
export function mergeAttempts(attempts: readonly RunResult[]): RunResult {
  const last = attempts.at(-1)!;
  if (attempts.length < 2) return last;
  const outcomes = attempts.map(outcomeOf);
  const outcome = combineAttempts(outcomes);
  const records = attempts.map((a, i) => ({
    attempt: i + 1, verdict: a.verdict, outcome: outcomes[i]!,
    failedChecks: a.checks.filter((c) => c.status !== 'pass').map((c) => c.name),
    ...(a.outcomeNote ? { reason: a.outcomeNote } : a.reason ? { reason: a.reason } : {}),
    history: a.history, ...(a.durationMs !== undefined ? { durationMs: a.durationMs } : {}),
  }));
  const note = outcome === 'flaky'
    ? `flaky: attempt 1 ${attempts[0]!.outcomeNote ?? attempts[0]!.verdict}; ${last.verdict === 'pass' ? 'passed' : 'as expected'} on attempt ${attempts.length} of ${attempts.length}`
    : `${last.outcomeNote ?? last.verdict} (in each of ${attempts.length} attempts${outcomes.every((o) => o === outcome) ? '' : `: ${outcomes.join(', ')}`})`;
  return { ...last, outcome, outcomeNote: note, attempts: records };
}
