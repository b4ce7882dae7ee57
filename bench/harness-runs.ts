import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HistoryEvent } from '../harness/history/events.js';
import { readHistory } from '../harness/history/reader.js';
import type { RunResult } from '../harness/report/types.js';
import type { RunPlan } from '../harness/run/plan.js';
import { executeRun } from '../harness/run/run-one.js';
import { RunSpecSchema } from '../harness/scenario/schema.js';
import { repoRoot } from './paths.js';
import { chooseContainment } from '../harness/target/containment.js';
import { SESSION } from './procs.js';

export interface HarnessSample {
  result: RunResult;
  events: HistoryEvent[];
}

// Runs specs through the harness's own executeRun (the code path of `shutdown-drill run`, minus
// the scenario-file loading), each in a fresh run folder under one temp out dir.
export class HarnessRunner {
  readonly outDir: string;
  private index = 0;
  private readonly never = new AbortController();

  constructor(private readonly signal: AbortSignal) {
    this.outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shutdown-drill-bench-'));
  }

  // Executes one run of the spec (validated by the scenario schema, defaults filled in) and
  // returns its result and history. Never rejects for a failed run: check `result.verdict`.
  async run(name: string, input: Record<string, unknown>): Promise<HarnessSample> {
    const spec = RunSpecSchema.parse({ name, ...input });
    const i = this.index++;
    const plan: RunPlan = { id: `${name}#${i}`, name, scenario: name, params: {}, spec, file: 'bench/run.ts', dir: repoRoot, repeat: 1, seed: 1 + i };
    const result = await executeRun(plan, { outDir: this.outDir, sessionMarker: SESSION, containment: chooseContainment(), index: i, signal: this.signal, force: this.never.signal });
    const events = result.history ? readHistory(path.join(this.outDir, result.history)) : [];
    // Run folders are not needed once read: keep the temp dir small.
    if (result.history) fs.rmSync(path.dirname(path.join(this.outDir, result.history)), { recursive: true, force: true });
    return { result, events };
  }

  // Removes the temp out dir.
  dispose(): void {
    fs.rmSync(this.outDir, { recursive: true, force: true });
  }
}

// Actual − intended time of every signal the harness sent in a history (ms).
export function strikeLateness(events: readonly HistoryEvent[]): number[] {
  const out: number[] = [];
  for (const e of events) if (e.type === 'signal:sent' && !e.escalation) out.push(e.sentT - e.intendedT);
  return out;
}

// The target's own spawn -> exit time in a history (ms), or undefined.
export function targetLifetime(events: readonly HistoryEvent[]): number | undefined {
  const spawned = events.find((e) => e.type === 'target:spawned');
  const exit = events.find((e) => e.type === 'target:exit');
  return spawned && exit ? exit.t - spawned.t : undefined;
}

// A one-line reason a run did not pass, for notes.
export function whyNotPassed(s: HarnessSample): string {
  const failed = s.result.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`);
  return `${s.result.id} ${s.result.verdict}${s.result.reason ? `: ${s.result.reason}` : ''}${failed.length ? ` (${failed.join('; ')})` : ''}`;
}
