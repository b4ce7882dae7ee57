import { outcomeOf } from './outcome.js';
import { groupRuns } from './compare.js';
import { checkRows, runHeadline } from './headline.js';
import { headerText, HEARTBEAT_MS, progressText, type Running, type RunPhase, type SuiteHeader } from './progress.js';
import { summarize } from './stats.js';
import { sweepLines } from '../sweep/format.js';
import type { ResultsFile, RunResult } from './types.js';

export interface ConsoleReporter {
  // The suite's header, printed at once (scenarios, runs, containment, out dir).
  header(header: SuiteHeader): void;
  runStart(plan: { id: string }): void;
  // A run moved to another phase (live line on a TTY, heartbeat lines otherwise).
  runPhase(id: string, phase: RunPhase): void;
  runEnd(result: RunResult): void;
  // An attempt was unexpected and --retries runs it again (attempt `next` of `max`).
  retry(result: RunResult, next: number, max: number): void;
  // A progress line of its own (a sweep's phase).
  note(text: string): void;
  summary(results: ResultsFile, files: string[]): void;
}

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

// Prints progress and a summary to a stream: a header at once, then a live status line on a TTY
// (elapsed time, each run's phase), plain lines in CI with a heartbeat line every `heartbeatMs`
// while runs are going (the timer never keeps the process alive; summary() stops it).
export function consoleReporter(options: { out?: NodeJS.WriteStream; total: number; color?: boolean; heartbeatMs?: number }): ConsoleReporter {
  const out = options.out ?? process.stdout;
  const tty = Boolean(out.isTTY) && !process.env['CI'];
  const color = options.color ?? (tty && !process.env['NO_COLOR']);
  const paint = (code: string, s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const tone: Record<RunResult['verdict'], string> = { pass: '32', fail: '31', error: '33', skipped: '90' };
  let done = 0;
  const started = performance.now();
  const running = new Map<string, Running>();
  const line = (): string => inert(progressText({ done, total: options.total, elapsedMs: performance.now() - started, running: [...running.values()], now: performance.now() }));
  const status = (): void => {
    if (!tty) return;
    out.write(`\r\x1b[2K${paint('90', line())}`);
  };
  // On a TTY the live line is repainted every second (the elapsed times move); in CI a heartbeat.
  const timer = setInterval(() => {
    if (tty) status();
    else if (running.size) out.write(`${line()}\n`);
  }, tty ? 1_000 : options.heartbeatMs ?? HEARTBEAT_MS);
  timer.unref();
  return {
    header(h) {
      out.write(inert(headerText(h).trimEnd()) + '\n');
      status();
    },
    runStart(plan) {
      running.set(plan.id, { id: plan.id, phase: 'starting', sinceMs: performance.now() });
      status();
    },
    runPhase(id, phase) {
      const r = running.get(id);
      if (!r || r.phase === phase) return;
      running.set(id, { id, phase, sinceMs: performance.now() });
      status();
    },
    runEnd(result) {
      running.delete(result.id);
      done++;
      if (tty) out.write('\r\x1b[2K');
      const head = `${paint(tone[result.verdict], `${MARK[result.verdict]} ${result.verdict.padEnd(7)}`)} ${inert(result.id)}`;
      const tte = result.metrics.timeToExitMs;
      const tail = result.verdict === 'pass' || result.verdict === 'fail'
        ? `${exitText(result)}${typeof tte === 'number' ? `, exit ${tte.toFixed(1)} ms after the signal` : ''}`
        : inert(result.reason?.split('\n')[0] ?? '');
      out.write(`${head}  ${paint('90', tail)}${outcomeTag(result, paint)}\n`);
      const headline = runHeadline(result);
      // An errored run's reason is already on its line.
      if (headline && !(result.verdict === 'error' && result.reason) && result.checks.some((c) => c.status !== 'pass')) out.write(`    ${paint('1', `→ ${inert(headline)}`)}\n`);
      for (const row of checkRows(result)) {
        const c = row.check;
        out.write(`    ${paint(c.status === 'fail' ? '31' : '33', `${inert(c.name)}`)}${row.causedBy ? paint('90', ` (follows from ${inert(row.causedBy)}: ${inert(row.why ?? '')})`) : ''}: ${inert(c.message)}\n`);
      }
      status();
    },
    note(text) {
      if (tty) out.write('\r\x1b[2K');
      out.write(`${paint('36', inert(text))}\n`);
      status();
    },
    retry(result, next, max) {
      if (tty) out.write('\r\x1b[2K');
      out.write(`${paint('33', `↻ retry  `)} ${inert(result.id)}  ${paint('90', `attempt ${next - 1} ${inert(result.outcomeNote ?? result.verdict)}; running attempt ${next} of ${max}`)}\n`);
      status();
    },
    summary(results, files) {
      clearInterval(timer);
      if (tty) out.write('\r\x1b[2K');
      const count = (v: RunResult['verdict']): number => results.runs.filter((r) => r.verdict === v).length;
      // What fails the gate (an unexpected outcome); known failures are listed after it.
      const bad = results.runs.filter((r) => outcomeOf(r) === 'unexpected');
      if (bad.length) {
        out.write(`\n${paint('1', 'Failures')}\n`);
        for (const r of bad) {
          out.write(`\n  ${paint(tone[r.verdict], `${MARK[r.verdict]} ${inert(r.id)}`)}\n`);
          // An errored run's reason is its headline, printed in full just below.
          const headline = r.verdict === 'error' && r.reason ? null : runHeadline(r);
          if (headline) out.write(`    ${paint('1', `→ ${inert(headline)}`)}\n`);
          if (r.verdict === 'error' && r.reason) out.write(`    ${inert(r.reason, true).split('\n').join('\n    ')}\n`);
          if (r.fails && r.outcomeNote) out.write(`    ${paint('31', inert(r.outcomeNote))}\n`);
          for (const row of checkRows(r)) {
            const c = row.check;
            out.write(`    ${inert(c.name)} (${c.status}${row.causedBy ? `, follows from ${inert(row.causedBy)}: ${inert(row.why ?? '')}` : ''}): ${inert(c.message)}\n`);
            out.write(`      expected: ${short(c.expected)}\n      actual:   ${short(c.actual)}\n`);
          }
          if (r.replay) out.write(`    replay: ${inert(r.replay)}\n`);
        }
      }
      const known = results.runs.filter((r) => r.fails && outcomeOf(r) === 'expected');
      if (known.length) {
        out.write(`\n${paint('1', 'Known failures')} (expect.fails: caught as expected; they do not fail the suite)\n`);
        for (const r of known) {
          const caught = r.checks.filter((c) => c.status === 'fail').map((c) => c.name);
          const why = [r.fails?.reason, r.fails?.link].filter(Boolean).map((x) => inert(String(x))).join('; ');
          out.write(`  ${paint('90', '✗')} ${inert(r.id)}: caught by ${inert(caught.join(', '))}${why ? `  ${paint('90', `(${why})`)}` : ''}\n`);
        }
      }
      const flaky = results.runs.filter((r) => outcomeOf(r) === 'flaky');
      if (flaky.length) {
        out.write(`\n${paint('1', 'Flaky')} (failed, then as expected on a retry${results.options?.['failOnFlaky'] ? '; --fail-on-flaky fails the suite' : '; they do not fail the suite unless --fail-on-flaky'})\n`);
        for (const r of flaky) out.write(`  ${paint('33', '~')} ${inert(r.id)}: ${inert(r.outcomeNote ?? 'flaky')}\n`);
      }
      // With repeats: each run's pass rate and time-to-exit spread, to see flakiness at a glance.
      const groups = [...groupRuns(results.runs)].filter(([, runs]) => runs.length > 1);
      if (groups.length) {
        out.write(`\n${paint('1', 'Repeats')} (pass rate, time to exit p50 / p95 / max)\n`);
        for (const [key, runs] of groups) {
          const judged = runs.filter((r) => r.verdict !== 'skipped');
          const passed = judged.filter((r) => r.verdict === 'pass').length;
          const tte = summarize(runs.map((r) => r.metrics.timeToExitMs).filter((v): v is number => typeof v === 'number'));
          const times = tte.n ? `${tte.p50.toFixed(1)} / ${tte.p95.toFixed(1)} / ${tte.max.toFixed(1)} ms` : 'no exit after a signal';
          out.write(`  ${passed}/${judged.length}  ${inert(key)}  ${paint('90', times)}\n`);
        }
      }
      if (results.sweeps?.length) {
        out.write(`\n${paint('1', 'Sweeps')} (strike moment against verdict)\n`);
        for (const sweep of results.sweeps) for (const line of sweepLines(sweep)) out.write(`  ${inert(line)}\n`);
      }
      const parts = [`${count('pass')} passed`, `${count('fail')} failed`, `${count('error')} errored`, `${count('skipped')} skipped`];
      const outcomes = (['expected', 'unexpected', 'flaky'] as const).map((o) => `${results.runs.filter((r) => outcomeOf(r) === o).length} ${o}`);
      out.write(`\n${paint('1', `${results.runs.length} runs: ${parts.join(', ')}`)}; ${outcomes.join(', ')} (${results.status})\n`);
      if (results.containment) out.write(`  containment: ${results.containment}${results.containment === 'marker' ? ' (weaker: a process that leaves its group and drops SHUTDOWN_DRILL_RUN escapes)' : ''}\n`);
      for (const f of files) out.write(`  ${inert(f)}\n`);
    },
  };
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
