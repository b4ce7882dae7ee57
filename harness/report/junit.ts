import path from 'node:path';
import { outcomeOf } from './outcome.js';
import type { CheckResult } from '../check/types.js';
import { writeFileAtomic } from './atomic.js';
import { checkRows, runHeadline } from './headline.js';
import { redactValue } from '../redact.js';
import type { ResultsFile, RunResult } from './types.js';
import { round3 } from '../clock.js';

// Characters XML 1.0 forbids anywhere (controls other than tab/LF/CR, lone surrogates, U+FFFE/FFFF).
const ILLEGAL_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

// Text safe inside an XML element: illegal characters removed, & < > escaped.
export function xmlText(value: unknown): string {
  return String(value).replace(ILLEGAL_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Text safe inside a double-quoted XML attribute (newlines and tabs kept as character references).
export function xmlAttr(value: unknown): string {
  return xmlText(value).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

// A compact one-line rendering of an expected/actual value.
export function showValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

// One line per failing check: name, expected, actual.
export function describeFailure(check: CheckResult): string {
  return `${check.name}: expected ${showValue(check.expected)}, actual ${showValue(check.actual)}`;
}

// Writes `<outDir>/junit.xml` (or `file`): one <testsuite> per scenario, one <testcase> per run
// (classname = scenario, name = run id); failing checks become one <failure> with expected and
// actual in its message, errored runs an <error>, skipped runs <skipped>. Returns the path.
// Secrets are redacted in the values before the XML is built (its structure is never touched).
export async function writeJunitReport(outDir: string, results: ResultsFile, file = path.join(outDir, 'junit.xml')): Promise<string> {
  await writeFileAtomic(file, junitXml(redactValue(results)));
  return file;
}

// The JUnit XML text of a results file.
export function junitXml(results: ResultsFile): string {
  const suites = new Map<string, RunResult[]>();
  for (const run of results.runs) {
    let list = suites.get(run.scenario);
    if (!list) suites.set(run.scenario, (list = []));
    list.push(run);
  }
  const totals = count(results.runs);
  const totalTime = seconds(results.runs.reduce((s, r) => s + (r.durationMs ?? 0), 0));
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="shutdown-drill" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" skipped="${totals.skipped}" time="${totalTime}">`);
  let id = 0;
  for (const [scenario, runs] of suites) {
    const c = count(runs);
    const time = seconds(runs.reduce((s, r) => s + (r.durationMs ?? 0), 0));
    out.push(`  <testsuite name="${xmlAttr(scenario)}" id="${id++}" tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" time="${time}"${suiteTimestamp(runs, results.startedAt)}${results.machine?.hostname ? ` hostname="${xmlAttr(results.machine.hostname)}"` : ''}>`);
    for (const run of runs) out.push(testcase(run));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

function testcase(run: RunResult): string {
  const open = `    <testcase classname="${xmlAttr(run.scenario)}" name="${xmlAttr(run.id)}"${run.file ? ` file="${xmlAttr(run.file)}"` : ''} time="${seconds(run.durationMs ?? 0)}"`;
  const body: string[] = [];
  const outcome = outcomeOf(run);
  // The outcome is visible on every marked or retried run; a known failure caught as expected is
  // no <failure> (it must not fail the file), a marked run that passes is one ("fixed").
  if (run.fails || run.attempts || outcome === 'flaky') body.push(properties(run, outcome));
  const known = run.verdict === 'fail' && outcome !== 'unexpected';
  if (run.verdict === 'skipped') {
    body.push(`      <skipped message="${xmlAttr(run.reason ?? 'skipped')}"/>`);
  } else if (run.verdict === 'error') {
    const message = run.reason ?? 'the run could not be completed';
    body.push(`      <error message="${xmlAttr(message)}" type="${xmlAttr(run.errorCode ?? 'error')}">${xmlText(errorBody(run, message))}</error>`);
  } else if (run.verdict === 'pass' && outcome === 'unexpected') {
    const message = run.outcomeNote ?? 'fixed: passes although marked to fail: remove the mark (expect.fails)';
    body.push(`      <failure message="${xmlAttr(truncate(message, 4000))}" type="fixed">${xmlText(message)}</failure>`);
  } else if (run.verdict === 'fail' && !known) {
    const failing = run.checks.filter((c) => !c.passed);
    // The one-line headline (the root cause), never raw JSON; the records are in the body.
    const message = runHeadline(run) ?? 'the run failed';
    const type = failing.map((c) => c.name).join(',') || 'fail';
    body.push(`      <failure message="${xmlAttr(truncate(message, 4000))}" type="${xmlAttr(type)}">${xmlText(failureBody(run, failing))}</failure>`);
  }
  const out = [known ? knownLine(run, outcome) : '', attemptsLine(run), replayLine(run), metricsLine(run)].filter(Boolean).join('\n');
  if (out) body.push(`      <system-out>${xmlText(out)}</system-out>`);
  return body.length ? `${open}>\n${body.join('\n')}\n    </testcase>` : `${open}/>`;
}

function properties(run: RunResult, outcome: string): string {
  const props: Array<[string, string]> = [['outcome', outcome]];
  if (run.fails) props.push(['expected-failure', run.fails.checks.join(',')]);
  if (run.fails?.reason) props.push(['expected-failure-reason', run.fails.reason]);
  if (run.fails?.link) props.push(['expected-failure-link', run.fails.link]);
  if (run.attempts) props.push(['attempts', String(run.attempts.length)]);
  return `      <properties>\n${props.map(([n, v]) => `        <property name="${xmlAttr(n)}" value="${xmlAttr(v)}"/>`).join('\n')}\n      </properties>`;
}

// The known failure, spelled out in <system-out> (no <failure>: it was expected).
function knownLine(run: RunResult, outcome: string): string {
  const failing = run.checks.filter((c) => c.status === 'fail');
  const lines = [`${outcome === 'flaky' ? 'flaky' : 'expected failure'} (expect.fails: ${run.fails?.checks.join(', ') ?? '-'}): ${run.outcomeNote ?? ''}`.trimEnd()];
  for (const c of failing) lines.push(`  ${describeFailure(c)}`);
  if (run.fails?.reason) lines.push(`  reason: ${run.fails.reason}`);
  if (run.fails?.link) lines.push(`  link: ${run.fails.link}`);
  return lines.join('\n');
}

// Every attempt of a retried run, one line each.
function attemptsLine(run: RunResult): string {
  if (!run.attempts?.length) return '';
  return [`${run.outcomeNote ?? ''}`, ...run.attempts.map((a) => `attempt ${a.attempt}: ${a.verdict} (${a.outcome})${a.failedChecks.length ? ` in ${a.failedChecks.join(', ')}` : ''}`)].filter(Boolean).join('\n');
}

function failureBody(run: RunResult, failing: CheckResult[]): string {
  const lines: string[] = [runHeadline(run) ?? 'the run failed', ''];
  const rows = checkRows(run);
  const folded = new Map(rows.map((r) => [r.check.name, r]));
  for (const c of [...rows.map((r) => r.check), ...failing.filter((f) => !folded.has(f.name))]) {
    const row = folded.get(c.name);
    lines.push(`${c.name} (${c.status})${row?.causedBy ? `: follows from ${row.causedBy}: ${row.why ?? ''}` : ''}`);
    lines.push(`  expected: ${showValue(c.expected)}`);
    lines.push(`  actual:   ${showValue(c.actual)}`);
    if (c.message) lines.push(`  ${c.message}`);
    if (Array.isArray(c.details) && c.details.length) {
      for (const d of c.details.slice(0, 20)) lines.push(`    - ${truncate(showValue(d), 300)}`);
      if (c.details.length > 20) lines.push(`    ... ${c.details.length - 20} more`);
    }
  }
  if (run.exit) lines.push(`exit: code ${run.exit.code ?? 'none'}, signal ${run.exit.signal ?? 'none'}`);
  return lines.join('\n');
}

function errorBody(run: RunResult, message: string): string {
  return [message, run.errorCode ? `code: ${run.errorCode}` : '', ...run.checks.filter((c) => !c.passed).map(describeFailure)].filter(Boolean).join('\n');
}

function replayLine(run: RunResult): string {
  return run.replay ? `replay: ${run.replay}` : `seed: ${run.seed}`;
}

function metricsLine(run: RunResult): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(run.metrics ?? {})) if (typeof v === 'number' && Number.isFinite(v)) parts.push(`${k}=${round3(v)}`);
  return parts.length ? `metrics: ${parts.join(' ')}` : '';
}

function count(runs: readonly RunResult[]): { tests: number; failures: number; errors: number; skipped: number } {
  let failures = 0, errors = 0, skipped = 0;
  for (const r of runs) {
    // A known failure caught as expected (or flaky) is no failure; a marked run that passes is one.
    const outcome = outcomeOf(r);
    if (r.verdict === 'fail' && outcome === 'unexpected') failures++;
    else if (r.verdict === 'pass' && outcome === 'unexpected') failures++;
    else if (r.verdict === 'error') errors++;
    else if (r.verdict === 'skipped') skipped++;
  }
  return { tests: runs.length, failures, errors, skipped };
}

// ` timestamp="..."`: when the suite's first run started (ISO 8601 without the zone, as JUnit
// wants), or the whole results' start for runs recorded without one.
function suiteTimestamp(runs: readonly RunResult[], fallback: string | undefined): string {
  const first = runs.map((r) => r.startedAt).filter((s): s is string => typeof s === 'string').sort()[0] ?? fallback;
  return first ? ` timestamp="${xmlAttr(first.replace(/Z$/, ''))}"` : '';
}

function seconds(ms: number): string {
  return (Number.isFinite(ms) ? ms / 1000 : 0).toFixed(3);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
