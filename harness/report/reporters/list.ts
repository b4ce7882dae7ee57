import { consoleReporter } from '../console.js';
import { defineReporter } from './define.js';

// The default console: a header, a line per run (with its failed checks), the summary.
export const list = defineReporter({
  name: 'list',
  kind: 'console',
  summary: 'a line per run with its failed checks, a live status line (heartbeat in CI), the summary (default)',
  byDefault: true,
  create: (ctx) => consoleReporter({ out: ctx.stdout, ...(ctx.heartbeatMs === undefined ? {} : { heartbeatMs: ctx.heartbeatMs }) }),
});
