import path from 'node:path';
import { outcomeOf } from './outcome.js';
import { groupRuns } from './compare.js';
import { checkRows, runHeadline } from './headline.js';
import { headerText, HEARTBEAT_MS, progressText, type Running } from './progress.js';
import type { Reporter, SuiteBegin } from './reporter.js';
import { summarize } from './stats.js';
import { sweepLines } from '../sweep/format.js';
import type { ResultsFile, RunResult } from './types.js';

// Text from targets and scenarios made inert for a terminal: ESC (so no CSI, OSC or other escape
// sequence), other C0 controls (a `\r` repaint, a backspace), DEL, C1 controls (`\x9b` is a CSI
// by itself) and bidirectional overrides are shown as visible escapes (`\x1b`, `\r`, `\u202e`);
// newlines are kept only where `keepNewlines` says so. Only the reporter's own colors are sent.
export function inert(text: string, keepNewlines = false): string {
  return String(text).replace(keepNewlines ? /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g : /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\r') return '\\r';
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

const MARK: Record<RunResult['verdict'], string> = { pass: '✓', fail: '✗', error: '!', skipped: '-' };

// How a console reporter paints: colors only on a terminal outside CI (and without NO_COLOR).
export interface ConsoleStyle {
  tty: boolean;
  paint: (code: string, s: string) => string;
}

// The style for `out` (`color` forces colors on or off).
export function consoleStyle(out: NodeJS.WriteStream, color?: boolean): ConsoleStyle {
  const tty = Boolean(out.isTTY) && !process.env['CI'];
  const on = color ?? (tty && !process.env['NO_COLOR']);
  return { tty, paint: (code, s) => (on ? `\x1b[${code}m${s}\x1b[0m` : s) };
}

const TONE: Record<RunResult['verdict'], string> = { pass: '32', fail: '31', error: '33', skipped: '90' };

// The suite's header line (scenarios, runs, containment, out dir shown relative to the cwd).
export function headerLine(s: SuiteBegin): string {
  const rel = path.relative(s.cwd, s.outDir);
  const outDir = rel.startsWith('..') || path.isAbsolute(rel) ? s.outDir : rel || '.';
  return inert(headerText({ scenarios: s.scenarios, runs: s.runs, containment: s.containment, outDir, concurrency: s.concurrency }).trimEnd()) + '\n';
}

// A run's lines: its verdict, exit and outcome, then the root cause and the checks that did not pass.
export function runText(result: RunResult, paint: ConsoleStyle['paint']): string {
  const head = `${paint(TONE[result.verdict], `${MARK[result.verdict]} ${result.verdict.padEnd(7)}`)} ${inert(result.id)}`;
  const tte = result.metrics.timeToExitMs;
  const tail = result.verdict === 'pass' || result.verdict === 'fail'
    ? `${exitText(result)}${typeof tte === 'number' ? `, exit ${tte.toFixed(1)} ms after the signal` : ''}`
    : inert(result.reason?.split('\n')[0] ?? '');
  let text = `${head}  ${paint('90', tail)}${outcomeTag(result, paint)}\n`;
  const headline = runHeadline(result);
  // An errored run's reason is already on its line.
  if (headline && !(result.verdict === 'error' && result.reason) && result.checks.some((c) => c.status !== 'pass')) text += `    ${paint('1', `→ ${inert(headline)}`)}\n`;
  for (const row of checkRows(result)) {
    const c = row.check;
    text += `    ${paint(c.status === 'fail' ? '31' : '33', `${inert(c.name)}`)}${row.causedBy ? paint('90', ` (follows from ${inert(row.causedBy)}: ${inert(row.why ?? '')})`) : ''}: ${inert(c.message)}\n`;
  }
  return text;
}

// The line saying that an unexpected attempt is run again (attempt `next` of `max`).
export function retryText(result: RunResult, next: number, max: number, paint: ConsoleStyle['paint']): string {
  return `${paint('33', `↻ retry  `)} ${inert(result.id)}  ${paint('90', `attempt ${next - 1} ${inert(result.outcomeNote ?? result.verdict)}; running attempt ${next} of ${max}`)}\n`;
}

// Prints progress and a summary to a stream (the `list` reporter): a header at once, then a live
// status line on a TTY (elapsed time, each run's phase), plain lines in CI with a heartbeat line
// every `heartbeatMs` while runs are going (the timer never keeps the process alive and stops at
// the suite's end), a line per run, and the summary with the files written.
// With `problemsOnly` (the `line` reporter) a run is printed only when it is not a plain pass: a
// failure, an error, a known failure, a flaky run; the live line (or the heartbeat) counts the rest.
export function consoleReporter(options: { out?: NodeJS.WriteStream; total?: number; color?: boolean; heartbeatMs?: number; name?: string; problemsOnly?: boolean } = {}): Reporter {
  const out = options.out ?? process.stdout;
  const { tty, paint } = consoleStyle(out, options.color);
  let done = 0;
  let total = options.total ?? 0;
  const started = performance.now();
  const running = new Map<string, Running>();
  const line = (): string => inert(progressText({ done, total, elapsedMs: performance.now() - started, running: [...running.values()], now: performance.now() }));
  const status = (): void => {
    if (!tty) return;
    out.write(`\r\x1b[2K${paint('90', line())}`);
  };
  const clear = (): void => {
    if (tty) out.write('\r\x1b[2K');
  };
  // On a TTY the live line is repainted every second (the elapsed times move); in CI a heartbeat.
  const timer = setInterval(() => {
    if (tty) status();
    else if (running.size) out.write(`${line()}\n`);
  }, tty ? 1_000 : options.heartbeatMs ?? HEARTBEAT_MS);
  timer.unref();
  return {
    name: options.name ?? 'list',
    onSuiteBegin(s) {
      total = s.runs;
      out.write(headerLine(s));
      status();
    },
    onRunBegin(plan) {
      running.set(plan.id, { id: plan.id, phase: 'starting', sinceMs: performance.now() });
      status();
    },
    onRunPhase(run, phase, live) {
      const r = running.get(run.id);
      if (!r || r.phase === phase) return;
      running.set(run.id, { id: run.id, phase, sinceMs: performance.now(), ...(live ? { live } : {}) });
      status();
    },
    onRunEnd(result, end) {
      clear();
      if (end.retrying) {
        out.write(retryText(result, end.attempt + 1, end.maxAttempts, paint));
      } else {
        running.delete(result.id);
        done++;
        const plain = (result.verdict === 'pass' || result.verdict === 'skipped') && outcomeOf(result) !== 'unexpected' && outcomeOf(result) !== 'flaky';
        if (!options.problemsOnly || !plain) out.write(runText(result, paint));
      }
      status();
    },
    onNote(text) {
      clear();
      out.write(`${paint('36', inert(text))}\n`);
      status();
    },
    onSuiteEnd(results, end) {
      clearInterval(timer);
      clear();
      out.write(summaryText(results, end.files, paint));
    },
  };
}

// The end of a suite on the console: the failures in full (root cause, each check's expected and
// actual, the replay command), known failures, flaky runs, repeats, sweeps, the counts and the files.
export function summaryText(results: ResultsFile, files: readonly string[], paint: ConsoleStyle['paint']): string {
  let text = '';
  const w = (s: string): void => {
    text += s;
  };
  const count = (v: RunResult['verdict']): number => results.runs.filter((r) => r.verdict === v).length;
  // What fails the gate (an unexpected outcome); known failures are listed after it.
  const bad = results.runs.filter((r) => outcomeOf(r) === 'unexpected');
  if (bad.length) {
    w(`\n${paint('1', 'Failures')}\n`);
    for (const r of bad) {
      w(`\n  ${paint(TONE[r.verdict], `${MARK[r.verdict]} ${inert(r.id)}`)}\n`);
      // An errored run's reason is its headline, printed in full just below.
      const headline = r.verdict === 'error' && r.reason ? null : runHeadline(r);
      if (headline) w(`    ${paint('1', `→ ${inert(headline)}`)}\n`);
      if (r.verdict === 'error' && r.reason) w(`    ${inert(r.reason, true).split('\n').join('\n    ')}\n`);
      if (r.fails && r.outcomeNote) w(`    ${paint('31', inert(r.outcomeNote))}\n`);
      for (const row of checkRows(r)) {
        const c = row.check;
        w(`    ${inert(c.name)} (${c.status}${row.causedBy ? `, follows from ${inert(row.causedBy)}: ${inert(row.why ?? '')}` : ''}): ${inert(c.message)}\n`);
        w(`      expected: ${short(c.expected)}\n      actual:   ${short(c.actual)}\n`);
      }
      if (r.replay) w(`    replay: ${inert(r.replay)}\n`);
    }
  }
  const known = results.runs.filter((r) => r.fails && outcomeOf(r) === 'expected');
  if (known.length) {
    w(`\n${paint('1', 'Known failures')} (expect.fails: caught as expected; they do not fail the suite)\n`);
    for (const r of known) {
      const caught = r.checks.filter((c) => c.status === 'fail').map((c) => c.name);
      const why = [r.fails?.reason, r.fails?.link].filter(Boolean).map((x) => inert(String(x))).join('; ');
      w(`  ${paint('90', '✗')} ${inert(r.id)}: caught by ${inert(caught.join(', '))}${why ? `  ${paint('90', `(${why})`)}` : ''}\n`);
    }
  }
  const flaky = results.runs.filter((r) => outcomeOf(r) === 'flaky');
  if (flaky.length) {
    w(`\n${paint('1', 'Flaky')} (failed, then as expected on a retry${results.options?.['failOnFlaky'] ? '; --fail-on-flaky fails the suite' : '; they do not fail the suite unless --fail-on-flaky'})\n`);
    for (const r of flaky) w(`  ${paint('33', '~')} ${inert(r.id)}: ${inert(r.outcomeNote ?? 'flaky')}\n`);
  }
  // With repeats: each run's pass rate and time-to-exit spread, to see flakiness at a glance.
  const groups = [...groupRuns(results.runs)].filter(([, runs]) => runs.length > 1);
  if (groups.length) {
    w(`\n${paint('1', 'Repeats')} (pass rate, time to exit p50 / p95 / max)\n`);
    for (const [key, runs] of groups) {
      const judged = runs.filter((r) => r.verdict !== 'skipped');
      const passed = judged.filter((r) => r.verdict === 'pass').length;
      const tte = summarize(runs.map((r) => r.metrics.timeToExitMs).filter((v): v is number => typeof v === 'number'));
      const times = tte.n ? `${tte.p50.toFixed(1)} / ${tte.p95.toFixed(1)} / ${tte.max.toFixed(1)} ms` : 'no exit after a signal';
      w(`  ${passed}/${judged.length}  ${inert(key)}  ${paint('90', times)}\n`);
    }
  }
  if (results.sweeps?.length) {
    w(`\n${paint('1', 'Sweeps')} (strike moment against verdict)\n`);
    for (const sweep of results.sweeps) for (const line of sweepLines(sweep)) w(`  ${inert(line)}\n`);
  }
  const parts = [`${count('pass')} passed`, `${count('fail')} failed`, `${count('error')} errored`, `${count('skipped')} skipped`];
  const outcomes = (['expected', 'unexpected', 'flaky'] as const).map((o) => `${results.runs.filter((r) => outcomeOf(r) === o).length} ${o}`);
  w(`\n${paint('1', `${results.runs.length} runs: ${parts.join(', ')}`)}; ${outcomes.join(', ')} (${results.status})\n`);
  if (results.containment) w(`  containment: ${results.containment}${results.containment === 'marker' ? ' (weaker: a process that leaves its group and drops SHUTDOWN_DRILL_RUN escapes)' : ''}\n`);
  for (const f of files) w(`  ${inert(f)}\n`);
  return text;
}

// After a run's line: what its outcome says when it is not the plain one (a known failure, a
// marked run that now passes, a flaky run).
function outcomeTag(r: RunResult, paint: (code: string, s: string) => string): string {
  const outcome = outcomeOf(r);
  if (outcome === 'skipped' || (outcome === 'expected' && !r.fails) || (outcome === 'unexpected' && !r.fails)) return '';
  const text = inert(r.outcomeNote ?? outcome);
  return `  ${paint(outcome === 'expected' ? '36' : outcome === 'flaky' ? '33' : '31', `[${outcome}: ${text}]`)}`;
}

function exitText(r: RunResult): string {
  if (!r.exit) return 'no exit seen';
  if (r.exit.byHarness) return `kept running; ended by the harness (${r.exit.signal ?? `code ${r.exit.code}`})`;
  return r.exit.signal ? `killed by ${r.exit.signal}` : `exit code ${r.exit.code}`;
}

function short(v: unknown): string {
  const s = inert(JSON.stringify(v) ?? 'undefined');
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}
