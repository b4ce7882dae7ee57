import { consoleStyle, headerLine, summaryText } from '../console.js';
import { outcomeOf } from '../outcome.js';
import type { Reporter } from '../reporter.js';
import type { RunResult } from '../types.js';
import { defineReporter } from './define.js';

// Dots per line before a new line.
const WIDTH = 60;

// One character for a run: `·` passed, `F` failed, `E` errored (both unexpected), `x` a known
// failure caught as expected, `±` flaky, `°` skipped; `×` an attempt that --retries runs again.
export function dotOf(result: RunResult): string {
  const outcome = outcomeOf(result);
  if (outcome === 'skipped') return '°';
  if (outcome === 'flaky') return '±';
  if (outcome === 'expected') return result.verdict === 'pass' ? '·' : 'x';
  return result.verdict === 'error' ? 'E' : 'F';
}

// The compact console: the header, one character per run, the summary.
export const dot = defineReporter({
  name: 'dot',
  kind: 'console',
  summary: 'one character per run (· passed, F failed, E errored, x known failure, ± flaky, ° skipped, × retried), the summary',
  byDefault: false,
  create: (ctx): Reporter => {
    const out = ctx.stdout;
    const { paint } = consoleStyle(out);
    const tone: Record<string, string> = { '·': '32', F: '31', E: '33', x: '36', '±': '33', '°': '90', '×': '33' };
    let column = 0;
    const put = (c: string): void => {
      out.write(`${paint(tone[c] ?? '0', c)}${++column % WIDTH === 0 ? '\n' : ''}`);
    };
    return {
      name: 'dot',
      onSuiteBegin: (s) => out.write(headerLine(s)),
      onRunEnd: (result, end) => put(end.retrying ? '×' : dotOf(result)),
      onSuiteEnd: (results, end) => {
        if (column % WIDTH !== 0) out.write('\n');
        out.write(summaryText(results, end.files, paint));
      },
    };
  },
});
