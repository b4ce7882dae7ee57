import path from 'node:path';
import { redactValue } from '../../redact.js';
import { writeFileAtomic } from '../atomic.js';
import type { Reporter } from '../reporter.js';
import { writeResults } from '../results.js';
import { defineReporter } from './define.js';

// The record: <outDir>/results.json, rewritten atomically at every onResults (the start, after
// every run, the end), so a killed harness leaves what it knew. Always on, whatever --reporter
// says: merge, compare and `report DIR` read it. Its write errors propagate (see Multiplexer).
export function resultsRecord(outDir: string): Reporter {
  const file = path.join(outDir, 'results.json');
  return {
    name: 'results.json',
    onResults: (results) => {
      writeResults(outDir, results);
    },
    write: () => file,
  };
}

// `json`: results.json is always written (the record); `json=FILE` also writes a copy of the final
// results to FILE, `json=-` prints them to stdout (pair it with no console reporter).
export const json = defineReporter({
  name: 'json',
  kind: 'file',
  summary: 'results.json in the out dir: always written, after every run (the record merge, compare and report read)',
  byDefault: true,
  option: { value: 'FILE', summary: 'also a copy of the final results to FILE (- for stdout)' },
  create: (ctx, option): Reporter => {
    if (option === undefined) return { name: 'json' };
    const text = (results: unknown): string => `${JSON.stringify(redactValue(results), null, 2)}\n`;
    if (option === '-') return { name: 'json', write: (results) => void ctx.stdout.write(text(results)) };
    const file = path.resolve(ctx.cwd, option);
    return { name: 'json', write: async (results) => (await writeFileAtomic(file, text(results)), file) };
  },
});
