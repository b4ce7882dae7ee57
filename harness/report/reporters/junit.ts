import path from 'node:path';
import { writeJunitReport } from '../junit.js';
import { defineReporter } from './define.js';

// junit.xml: one <testsuite> per scenario, one <testcase> per run (report/junit.ts).
export const junit = defineReporter({
  name: 'junit',
  kind: 'file',
  summary: 'JUnit XML, one <testsuite> per scenario (default <out>/junit.xml)',
  byDefault: true,
  option: { value: 'FILE', summary: 'write it to FILE instead' },
  create: (ctx, file) => ({ name: 'junit', write: (results, outDir) => writeJunitReport(outDir, results, file === undefined ? undefined : path.resolve(ctx.cwd, file)) }),
});
