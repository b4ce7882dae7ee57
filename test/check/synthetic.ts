// Synthetic histories for the check tests: hand-built event arrays judged through the same entry a
// run uses (run/judge-run.ts judgeRun), so a verdict here is the verdict a run with that history gets.
import type { CheckResult } from '../../harness/check/types.js';
import type { HistoryEvent, OpOutcome, SignalName } from '../../harness/history/events.js';
import { sortByTime } from '../../harness/history/writer.js';
import { judgeRun } from '../../harness/run/judge-run.js';
import { RunSpecSchema, type ExpectInput } from '../../harness/scenario/schema.js';

// The target's leader in every synthetic history.
export const PID = 4242;

// Judges `events` (sorted by time, as the reader gives them) with a spec asking for `expect`
// (no-orphans off unless asked for; `spec` adds run fields such as `strike`) and returns the result of check `name`; throws when the spec
// does not make that check apply.
export function judgeOne(name: string, expect: ExpectInput, events: readonly HistoryEvent[], spec: Record<string, unknown> = {}): CheckResult {
  const parsed = RunSpecSchema.parse({ name: 'synthetic', target: { command: 'true' }, ...spec, expect: { noOrphans: false, ...expect } });
  const r = judgeRun(parsed, sortByTime(events)).checks.find((c) => c.name === name);
  if (!r) throw new Error(`${name} did not apply to ${JSON.stringify(expect)}`);
  return r;
}

export const spawned = (t: number): HistoryEvent => ({ type: 'target:spawned', t, pid: PID, pgid: PID, command: 'node', args: ['app.js'], cwd: '/tmp' });
export const sig = (t: number, signal: SignalName = 'SIGTERM', escalation = false): HistoryEvent => ({
  type: 'signal:sent', t, signal, deliver: 'process', intendedT: t, sentT: t, step: escalation ? 1 : 0, escalation, pids: [PID],
});
export const exit = (t: number, e: { code?: number | null; signal?: string | null; shellCode?: number; byHarness?: boolean } = {}): HistoryEvent => ({
  type: 'target:exit', t, code: e.code === undefined ? 0 : e.code, signal: e.signal ?? null, shellCode: e.shellCode ?? e.code ?? 0, byHarness: e.byHarness ?? false,
});
export const line = (t: number, text: string, stream: 'stdout' | 'stderr' = 'stdout', source?: string): HistoryEvent => ({
  type: 'log:line', t, stream, line: text, ...(source === undefined ? {} : { source }),
});
// One operation of driver `driver`: request:start at `s`, request:end at `e` (none when undefined).
export const op = (driver: string, id: string, s: number, e: number | undefined, outcome: OpOutcome = 'ok', extra: { status?: number; conn?: string; connecting?: true; firstByteT?: number } = {}): HistoryEvent[] => [
  { type: 'request:start', t: s, driver, id, ...(extra.conn === undefined ? {} : { conn: extra.conn }), ...(extra.connecting ? { connecting: true } : {}) },
  ...(e === undefined ? [] : [{ type: 'request:end', t: e, driver, id, outcome, ...(extra.status === undefined ? {} : { status: extra.status }), ...(extra.firstByteT === undefined ? {} : { firstByteT: extra.firstByteT }) } as HistoryEvent]),
];
