import { literalPattern } from '../scenario/regex.js';
import { runGroupKey } from './compare.js';
import type { RunResult } from './types.js';

// The run id as a regular expression that matches exactly that id.
export function exactIdPattern(id: string): string {
  return `^${literalPattern(id)}$`;
}

// A word quoted for POSIX shells (single quotes; an embedded ' becomes '\'').
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

// The command that replays exactly the runs named `name` (a run id without its repeat suffix) of
// `file` with `seed`: `npx shutdown-drill run <file> --grep '^<name>$' --seed <seed>`, each word
// quoted for POSIX shells only when it needs it. The one builder, used live and by the reports.
export function replayCommandOf(target: { file?: string | undefined; name: string; seed: number }): string {
  const parts = ['npx', 'shutdown-drill', 'run'];
  if (target.file) parts.push(shellQuote(target.file));
  parts.push('--grep', shellQuote(exactIdPattern(target.name)), '--seed', String(target.seed));
  return parts.join(' ');
}

// The command that replays one run: `result.replay` when the runner recorded one, otherwise the
// one built from its file, its name (the id without its repeat suffix `#k`: --grep matches names,
// and the run's own seed replays repeat k) and its seed.
export function replayCommand(run: Pick<RunResult, 'id' | 'seed' | 'file' | 'replay' | 'repeat'>): string {
  if (run.replay) return run.replay;
  return replayCommandOf({ file: run.file, name: runGroupKey(run), seed: run.seed });
}
