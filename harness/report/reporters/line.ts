import { consoleReporter } from '../console.js';
import { defineReporter } from './define.js';

// The quiet console: only runs that are not a plain pass are printed, the live line counts the rest.
export const line = defineReporter({
  name: 'line',
  kind: 'console',
  summary: 'one live status line; only failing, errored, flaky and known-failure runs are printed; the summary',
  byDefault: false,
  create: (ctx) => consoleReporter({ out: ctx.stdout, name: 'line', problemsOnly: true, ...(ctx.heartbeatMs === undefined ? {} : { heartbeatMs: ctx.heartbeatMs }) }),
});
