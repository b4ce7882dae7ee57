import path from 'node:path';
import { appendGithubSummary } from '../github-summary.js';
import { defineReporter } from './define.js';

// The GitHub step summary (markdown), appended to $GITHUB_STEP_SUMMARY (report/github-summary.ts).
export const github = defineReporter({
  name: 'github',
  kind: 'file',
  summary: 'a markdown summary appended to $GITHUB_STEP_SUMMARY when it is set',
  byDefault: true,
  option: { value: 'FILE', summary: 'append it to FILE (even when $GITHUB_STEP_SUMMARY is unset)' },
  create: (ctx, file) => ({ name: 'github', write: (results) => appendGithubSummary(results, file === undefined ? ctx.env['GITHUB_STEP_SUMMARY'] : path.resolve(ctx.cwd, file)) }),
});
