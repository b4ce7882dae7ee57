import type { HistoryEvent } from '../history/events.js';
import type { RunVerdict } from './types.js';
import { drain } from './drain.js';
import { errorRate } from './error-rate.js';
import { exitStatus } from './exit-status.js';
import { filesAbsent, filesIntact } from './files.js';
import { inspect } from './inspect.js';
import { logAbsent, logOrder, logPresent } from './logs.js';
import { newWorkRejected } from './new-work-rejected.js';
import { noEscalation } from './no-escalation.js';
import { noOrphans } from './no-orphans.js';
import { noReset } from './no-reset.js';
import { noZombies } from './no-zombies.js';
import { readinessFlip } from './readiness-flip.js';
import { stillRunning } from './still-running.js';
import { timeToExit } from './time-to-exit.js';
import type { AllCheckFields, CheckFieldRegistry, CheckName, RunSpec } from './registry.js';
import type { CheckDefinition, CheckResult } from './types.js';
import { wsCloseCodes } from './ws-close-codes.js';
import { wsGoodbye } from './ws-goodbye.js';

// The registry: every check, in report order, one line each (core, then load). A new check is its
// own file plus one line here; CheckName, checkNames (check/names.ts CHECK_NAMES), the schema's
// `expect` fields (scenario/schema.ts, in this order) and the `expect.fails` enum derive from this list.
export const allChecks = [
  exitStatus,
  timeToExit,
  noEscalation,
  noOrphans,
  noZombies,
  filesAbsent,
  filesIntact,
  logPresent,
  logAbsent,
  logOrder,
  stillRunning,
  inspect,
  drain,
  newWorkRejected,
  noReset,
  readinessFlip,
  wsCloseCodes,
  wsGoodbye,
  errorRate,
] as const satisfies readonly CheckDefinition[];

// The name of a built-in check (results.json `checks[].name`, see CONTRACTS.md): registry.ts's,
// which the check files fill in. Compile-time: the list and the registry name the same checks (a
// check file left out of the list does not compile; test/check/registry.test.ts checks that none is
// listed twice).
export type { CheckName };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const listedAreRegistered: Same<(typeof allChecks)[number]['name'], keyof CheckFieldRegistry> = true;
void listedAreRegistered;

// Every check's expectation fields, merged in list order: the check part of the schema's `expect`
// (scenario/schema.ts). Typed from the registry, not from the list (the list's type is built on
// RunSpec, which is built on this).
export function checkFields(): AllCheckFields {
  return Object.assign({}, ...allChecks.map((c) => c.expect)) as AllCheckFields;
}

// Every check's name, in report order.
export const checkNames: readonly CheckName[] = allChecks.map((c) => c.name);

// Judges a history: every check the spec asks for. A check that throws is reported as an error,
// never as a pass.
export function judge(spec: RunSpec, events: readonly HistoryEvent[]): CheckResult[] {
  const out: CheckResult[] = [];
  for (const check of allChecks) {
    if (!check.applies(spec)) continue;
    try {
      out.push(check.judge({ spec, events }));
    } catch (error) {
      out.push({ name: check.name, passed: false, status: 'error', expected: null, actual: null, message: `the check itself failed: ${(error as Error).message}` });
    }
  }
  return out;
}

// The run's verdict from its checks: a failed check fails the run; otherwise a check without
// evidence makes it an error; a run that asked for no check at all is an error too (no evidence).
export function verdictOf(checks: readonly CheckResult[]): RunVerdict {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.length === 0 || checks.some((c) => c.status === 'error')) return 'error';
  return 'pass';
}
