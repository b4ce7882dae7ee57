import { runGroupKey } from './compare.js';
import type { RunResult } from './types.js';

// The run id as a regular expression that matches exactly that id.
export function exactIdPattern(id: string): string {
  return `^${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

// A word quoted for POSIX shells (single quotes; an embedded ' becomes '\'').
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

// The command that replays one run: `result.replay` when the runner recorded one, otherwise
// `npx shutdown-drill run <file> --grep '<exact name>' --seed <seed>`, where the name is the id
// without its repeat suffix (`#k`): --grep matches names, and the run's own seed replays repeat k.
export function replayCommand(run: Pick<RunResult, 'id' | 'seed' | 'file' | 'replay' | 'repeat'>): string {
  if (run.replay) return run.replay;
  const parts = ['npx', 'shutdown-drill', 'run'];
  if (run.file) parts.push(shellQuote(run.file));
  parts.push('--grep', shellQuote(exactIdPattern(runGroupKey(run))), '--seed', String(run.seed));
  return parts.join(' ');
}
