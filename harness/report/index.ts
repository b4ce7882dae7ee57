import { errorMessage } from '../errors.js';
import { writeResults } from './results.js';
import type { ResultsFile } from './types.js';

export type Reporter = (outDir: string, results: ResultsFile) => Promise<string | undefined>;

// File reporters besides results.json (html, junit, summary), registered by their modules.
export const fileReporters: Array<{ name: string; write: Reporter }> = [];

// Writes results.json and every file report; a broken reporter never breaks the run (its error is
// printed and the others still write). Returns the files written.
export async function writeReports(outDir: string, results: ResultsFile): Promise<string[]> {
  const files = [writeResults(outDir, results)];
  for (const r of fileReporters) {
    try {
      const file = await r.write(outDir, results);
      if (file) files.push(file);
    } catch (error) {
      process.stderr.write(`shutdown-drill: the ${r.name} reporter failed: ${errorMessage(error)}\n`);
    }
  }
  return files;
}
