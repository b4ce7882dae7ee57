import { anchorText } from './plans.js';
import type { SweepResult, SweepWindow } from './types.js';

// One console line per window: `vulnerable +398..+604 ms after ready (29 runs): files-absent, inspect`
// (a flaky window adds its failure rate); a sweep without a window says what it covered.
export function sweepLines(sweep: SweepResult): string[] {
  const after = `after ${anchorText(sweep.anchor)}`;
  const head = `sweep ${sweep.scenario}: ${sweep.verdict}`;
  const lines: string[] = [];
  const notes: string[] = [];
  if (sweep.budgetExhausted) notes.push(`budget of ${sweep.maxRuns} runs ran out: some edges are known only to the offsets shown`);
  if (sweep.lateRuns) notes.push(`${sweep.lateRuns} strike(s) landed more than ${sweep.resolutionMs} ms off (largest ${sweep.maxLatenessMs} ms)`);
  if (sweep.reason) notes.push(sweep.reason);
  lines.push(`${head}${notes.length ? ` (${notes.join('; ')})` : ''}`);
  for (const w of sweep.windows) lines.push(`  ${windowLine(w, sweep, after)}`);
  if (!sweep.windows.length && sweep.verdict === 'pass') {
    lines.push(`  no vulnerable window in +${sweep.fromMs}..+${sweep.toMs} ms ${after} (${sweep.runs} runs, resolution ${sweep.resolutionMs} ms)`);
  }
  return lines;
}

function windowLine(w: SweepWindow, sweep: SweepResult, after: string): string {
  const rate = w.failureRate < 1 ? `, fails ${Math.round(w.failureRate * 100)} % of ${w.runs} runs inside` : '';
  return `vulnerable +${w.fromMs}..+${w.toMs} ms ${after} (${sweep.runs} runs${rate}): ${w.failedChecks.join(', ')}`;
}
