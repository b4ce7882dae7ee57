import fs from 'node:fs';
import path from 'node:path';
import { loadView } from '../history/ops.js';
import { readRunHistory } from '../history/run-folder.js';
import { insideDir } from './inside.js';

// One line per run folder of `outDir` whose history has no `run:end` (its harness died during the
// run, e.g. SIGKILL): the run is an error, and each load segment left unmerged beside its history
// is named with the operations it holds (read with history/run-folder.ts readRunHistory, as report
// DIR judges). Only reads, and only inside `outDir`; a folder that cannot be read is skipped.
export function describeUnendedRuns(outDir: string): string[] {
  const runsDir = path.join(outDir, 'runs');
  let names: string[];
  try {
    names = fs.readdirSync(runsDir).sort();
  } catch {
    return [];
  }
  const lines: string[] = [];
  for (const name of names) {
    const rel = `runs/${name}/events.jsonl`;
    let read: ReturnType<typeof readRunHistory>;
    try {
      read = readRunHistory(insideDir(outDir, rel));
    } catch {
      continue;
    }
    const { events, unmerged } = read;
    if (events.some((e) => e.type === 'run:end')) continue;
    const start = events.find((e) => e.type === 'run:start');
    const id = start?.type === 'run:start' ? start.runId : name;
    const loads = unmerged.map((u) => {
      const { ops, summaries } = loadView(events, u.driver);
      const folded = summaries.reduce((n, s) => n + s.ops, 0);
      const unfinished = ops.filter((o) => o.outcome === 'unfinished').length;
      return `load "${u.driver}": segment runs/${name}/${u.file} was never merged into the history; with it the load has ${ops.length + folded} operations (${ops.length + folded - unfinished} ended, ${unfinished} unfinished), and its record is incomplete (LOAD_RECORD_INCOMPLETE)`;
    });
    lines.push(`run ${JSON.stringify(id)} (${rel}): error: its history has no run:end (its harness died during the run)${loads.length ? `; ${loads.join('; ')}` : ''}`);
  }
  return lines;
}
