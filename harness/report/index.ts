import { errorMessage } from '../errors.js';
import { appendGithubSummary } from './github-summary.js';
import { writeHtmlReportFor } from './html.js';
import { writeJunitReport } from './junit.js';
import { writeResults } from './results.js';
import type { ResultsFile } from './types.js';

export type Reporter = (outDir: string, results: ResultsFile) => Promise<string | undefined>;

// File reporters besides results.json, in the order they are written.
export const fileReporters: Array<{ name: string; write: Reporter }> = [
  { name: 'junit', write: writeJunitReport },
  { name: 'html', write: writeHtmlReportFor },
  { name: 'github summary', write: async (_outDir, results) => (await appendGithubSummary(results)) ?? undefined },
];

// Writes results.json and every file report; a broken reporter never breaks the run (its error is
// printed and the others still write). `enabled` (default: all) picks the file reporters by name.
// Returns the files written.
export async function writeReports(outDir: string, results: ResultsFile, enabled: (name: string) => boolean = () => true): Promise<string[]> {
  const files = [writeResults(outDir, results)];
  for (const r of fileReporters) {
    if (!enabled(r.name)) continue;
    try {
      const file = await r.write(outDir, results);
      if (file) files.push(file);
    } catch (error) {
      process.stderr.write(`shutdown-drill: the ${r.name} reporter failed: ${errorMessage(error)}\n`);
    }
  }
  return files;
}
