import { cutWords } from '../check/placement.js';
import type { CheckResult } from '../check/types.js';
import { rootCauseOf, type RunRootCause } from './root-cause.js';
import type { RunResult } from './types.js';

// One failed (or unproven) check as the reports list it: under the cause that explains it.
export interface CheckRow {
  check: CheckResult;
  // The check whose failure is the cause this one is folded under (null: it is a cause itself).
  causedBy: string | null;
  why: string | null;
}

// The run's root causes: as recorded, or (results written before root causes were recorded) from
// its checks alone, each failed check a cause of its own.
export function runRootCause(run: RunResult): RunRootCause | null {
  return run.rootCause ?? rootCauseOf(run.checks, []);
}

// The one-line human headline of a failing or errored run (null for a run that passed or was
// skipped): its root cause, or why it could not be completed.
export function runHeadline(run: RunResult): string | null {
  if (run.verdict !== 'fail' && run.verdict !== 'error') return null;
  if (run.verdict === 'error' && run.errorCode) return firstLine(`${run.errorCode}: ${run.reason ?? 'the run could not be completed'}`);
  return runRootCause(run)?.headline ?? firstLine(run.reason ?? (run.verdict === 'fail' ? 'the run failed' : 'the run could not be completed'));
}

// Every check that did not pass, each cause followed by the checks it explains; none is left out
// (a check the root cause does not name is listed as a cause of its own).
export function checkRows(run: RunResult): CheckRow[] {
  const bad = run.checks.filter((c) => c.status !== 'pass');
  const byName = new Map(bad.map((c) => [c.name, c]));
  const rows: CheckRow[] = [];
  const used = new Set<string>();
  const push = (name: string, causedBy: string | null, why: string | null): void => {
    const check = byName.get(name);
    if (!check || used.has(name)) return;
    used.add(name);
    rows.push({ check, causedBy, why });
  };
  for (const cause of runRootCause(run)?.causes ?? []) {
    push(cause.check, null, null);
    for (const x of cause.explains) push(x.check, cause.check, x.why);
  }
  for (const c of bad) push(c.name, null, null);
  return rows;
}

function firstLine(text: string): string {
  return cutWords(text.split('\n')[0]!, 400);
}
