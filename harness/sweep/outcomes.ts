import type { RunResult } from '../report/types.js';
import type { SweepResult } from './types.js';

// The known-failure mark (expect.fails) of a swept scenario is judged on the sweep, not on each
// point: outside its window a point of a broken variant passes, as it should, so a marked point
// that passes is `expected`; and a marked sweep that finds no window is "fixed: remove the mark",
// which fails the suite as a fixed plain run does. Points that fail are judged as any run (their
// failed checks must be listed). Pure; used live (run/suite.ts) and by `report DIR`.
export function settleSweepOutcomes(sweeps: readonly SweepResult[], runs: readonly RunResult[]): { sweeps: SweepResult[]; runs: RunResult[]; fixed: SweepResult[] } {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const settled = new Map<string, RunResult>();
  const fixed: SweepResult[] = [];
  const out = sweeps.map((s) => {
    const ids = s.points.flatMap((p) => p.runs.map((r) => r.run));
    const mark = ids.map((id) => byId.get(id)?.fails).find((f) => f !== undefined);
    if (!mark) return s;
    for (const id of ids) {
      const run = byId.get(id);
      if (run && run.verdict === 'pass' && run.fails) {
        settled.set(id, { ...run, outcome: 'expected', outcomeNote: `a point outside the window of a sweep marked to fail in ${mark.checks.join(', ')}: the mark is judged on the sweep` });
      }
    }
    if (s.verdict !== 'pass') return s;
    const done = { ...s, reason: `fixed: no vulnerable window, although marked to fail in ${mark.checks.join(', ')}: remove the mark (expect.fails)` };
    fixed.push(done);
    return done;
  });
  return { sweeps: out, runs: runs.map((r) => settled.get(r.id) ?? r), fixed };
}
