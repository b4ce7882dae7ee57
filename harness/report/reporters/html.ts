import path from 'node:path';
import { writeHtmlReportFor } from '../html.js';
import { defineReporter } from './define.js';

// index.html: the self-contained report, histories read from the out dir (report/html.ts).
export const html = defineReporter({
  name: 'html',
  kind: 'file',
  summary: 'the self-contained HTML report with every run\'s timeline (default <out>/index.html)',
  byDefault: true,
  option: { value: 'FILE', summary: 'write it to FILE instead' },
  create: (ctx, file) => ({ name: 'html', write: (results, outDir) => writeHtmlReportFor(outDir, results, file === undefined ? undefined : path.resolve(ctx.cwd, file)) }),
});
