import fs from 'node:fs/promises';
import { outcomeOf } from './outcome.js';
import { groupRuns, metricValues, passRate } from './compare.js';
import { replayCommand } from './replay.js';
import { checkRows, runHeadline } from './headline.js';
import { summarize } from './stats.js';
import type { ResultsFile } from './types.js';
import { redactValue } from '../redact.js';

// GitHub caps one step's summary at 1 MiB; stay well under it.
const MAX_BYTES = 512 * 1024;
const MAX_FAILED_ROWS = 50;

// Appends a markdown summary (verdict counts, failing runs with expected vs actual, repeat pass
// rates) to `file` when it is set (GITHUB_STEP_SUMMARY by default). Appends rather than replaces:
// the file is GitHub's and other steps may have written to it. Returns the file, or null when unset.
// Secrets are redacted in the values before the markdown is built.
export async function appendGithubSummary(results: ResultsFile, file: string | undefined = process.env['GITHUB_STEP_SUMMARY']): Promise<string | null> {
  if (!file) return null;
  await fs.appendFile(file, githubSummaryMarkdown(redactValue(results)), 'utf8');
  return file;
}

// The markdown of the summary.
export function githubSummaryMarkdown(results: ResultsFile): string {
  const counts = { pass: 0, fail: 0, error: 0, skipped: 0 };
  for (const run of results.runs) counts[run.verdict]++;
  const icon = results.status === 'passed' ? '✅' : results.status === 'failed' ? '❌' : '⚠️';
  const out: string[] = [];
  out.push(`### ${icon} shutdown-drill: ${results.status}`);
  out.push('');
  out.push(`| runs | pass | fail | error | skipped |`);
  out.push(`|---:|---:|---:|---:|---:|`);
  out.push(`| ${results.runs.length} | ${counts.pass} | ${counts.fail} | ${counts.error} | ${counts.skipped} |`);
  const outcomes = { expected: 0, unexpected: 0, flaky: 0, skipped: 0 };
  for (const run of results.runs) outcomes[outcomeOf(run)]++;
  out.push('');
  out.push(`Outcomes: ${outcomes.expected} expected, ${outcomes.unexpected} unexpected, ${outcomes.flaky} flaky, ${outcomes.skipped} skipped.`);
  // What fails the gate: unexpected runs (including a marked run that now passes: fixed).
  const bad = results.runs.filter((r) => outcomeOf(r) === 'unexpected');
  if (bad.length) {
    out.push('');
    out.push('| run | verdict | root cause (failed checks) | replay |');
    out.push('|---|---|---|---|');
    for (const run of bad.slice(0, MAX_FAILED_ROWS)) {
      // The headline first; then every failed check, each folded one under its cause.
      const rows = checkRows(run);
      const checks = rows.map((r) => `${r.check.name}${r.check.status === 'error' ? ' (no evidence)' : ''}${r.causedBy ? ` (follows from ${r.causedBy})` : ''}`).join(', ');
      // An errored run: its whole reason (the target's last output lines follow its first line).
      // A marked run that passes: why it fails the gate (fixed: remove the mark).
      const why = run.verdict === 'pass'
        ? `**${cell(run.outcomeNote ?? 'fixed: remove the mark')}**`
        : run.verdict === 'error' && run.reason
        ? `**${cell(`${run.errorCode ? `${run.errorCode}: ` : ''}${run.reason}`)}**${checks ? `<br>${cell(checks)}` : ''}`
        : `**${cell(runHeadline(run) ?? run.reason ?? run.verdict)}**${checks ? `<br>${cell(checks)}` : ''}`;
      out.push(`| ${cell(run.id)} | ${run.verdict} | ${why} | ${code(replayCommand(run))} |`);
    }
    if (bad.length > MAX_FAILED_ROWS) out.push(`\n…and ${bad.length - MAX_FAILED_ROWS} more; see the HTML report.`);
  }
  const known = results.runs.filter((r) => outcomeOf(r) === 'flaky' || (r.fails && outcomeOf(r) === 'expected'));
  if (known.length) {
    out.push('');
    out.push('| known failure or flaky run | outcome | caught by | why |');
    out.push('|---|---|---|---|');
    for (const run of known.slice(0, MAX_FAILED_ROWS)) {
      const caught = run.checks.filter((c) => c.status === 'fail').map((c) => c.name).join(', ');
      const why = [run.outcome === 'flaky' ? run.outcomeNote : undefined, run.fails?.reason, run.fails?.link].filter(Boolean).join('; ');
      out.push(`| ${cell(run.id)} | ${outcomeOf(run)} | ${cell(caught || '-')} | ${cell(why || '-')} |`);
    }
    if (known.length > MAX_FAILED_ROWS) out.push(`\n…and ${known.length - MAX_FAILED_ROWS} more; see the HTML report.`);
  }
  const groups = [...groupRuns(results.runs)].filter(([, runs]) => runs.length > 1);
  if (groups.length) {
    out.push('');
    out.push('| repeated run | runs | pass rate | time to exit p50 / p95 | drain p50 / p95 |');
    out.push('|---|---:|---:|---:|---:|');
    for (const [key, runs] of groups.slice(0, MAX_FAILED_ROWS)) {
      const rate = passRate(runs);
      const tte = summarize(metricValues(runs, 'timeToExitMs'));
      const drain = summarize(metricValues(runs, 'drainMs'));
      out.push(`| ${cell(key)} | ${runs.length} | ${rate.rate == null ? '-' : `${Math.round(rate.rate * 100)}%`} | ${ms(tte.p50)} / ${ms(tte.p95)} | ${ms(drain.p50)} / ${ms(drain.p95)} |`);
    }
  }
  out.push('');
  let text = out.join('\n') + '\n';
  if (Buffer.byteLength(text) > MAX_BYTES) text = `${text.slice(0, MAX_BYTES / 2)}\n\n…summary truncated; see the HTML report.\n`;
  return text;
}

// A table cell of inert text: HTML special characters as entities (GitHub renders HTML), every
// other ASCII punctuation that markdown gives a meaning (emphasis, links, images, code, pipes,
// headings) backslash-escaped, `@` and `#` kept from mentioning users or linking issues, line
// breaks and control characters as spaces.
export function cell(text: string): string {
  return text
    .slice(0, 1000)
    .replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]+/g, ' ')
    .replace(/[&<>]|[!"#$%'()*+,\-./:;=?@[\\\]^_`{|}~]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '@' ? '@&#8203;' : `\\${c}`));
}

// Inline code as an HTML <code> element with escaped text: no backtick run in the data can end it.
function code(text: string): string {
  return `<code>${cell(text)}</code>`;
}

function ms(v: number): string {
  return Number.isFinite(v) ? `${Math.round(v * 10) / 10} ms` : '-';
}
