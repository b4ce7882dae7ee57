import path from 'node:path';
import { errorMessage } from '../errors.js';
import type { LiveLoad, RunPhase } from './progress.js';
import type { ResultsFile, RunResult } from './types.js';

// What a suite is about to do (the console's header): sent once, before its first run.
export interface SuiteBegin {
  runs: number;
  scenarios: number;
  containment: string;
  concurrency: number;
  // The out dir (absolute) and the working dir it may be shown relative to.
  outDir: string;
  cwd: string;
}

// A run that starts (once per run: its retries are attempts of the same run).
export interface RunBegin {
  id: string;
  scenario: string;
  file: string;
}

// How a run's attempt ended: `retrying` when --retries runs it again (the result is that of an
// unexpected attempt, and another onRunEnd follows with the run's last word).
export interface RunEnd {
  attempt: number;
  maxAttempts: number;
  retrying: boolean;
}

// The suite is over: results.json (the record) and every path the reporters wrote, in order.
export interface SuiteEnd {
  outDir: string;
  resultsFile: string;
  files: readonly string[];
}

// One reporter: every hook is optional. The live hooks (onSuiteBegin ... onNote, onResults) are
// synchronous and come in the order of the suite; `write` is awaited once, with the final results,
// before onSuiteEnd. A reporter reads what it is given and never changes it.
export interface Reporter {
  readonly name: string;
  onSuiteBegin?(suite: SuiteBegin): void;
  onRunBegin?(run: RunBegin): void;
  // A run moved to another phase (starting, ready, load, strike, draining, checks); `live` reads
  // its load's counters as they are now (call it when painting, not to keep).
  onRunPhase?(run: { id: string }, phase: RunPhase, live?: () => LiveLoad | undefined): void;
  onRunEnd?(result: RunResult, end: RunEnd): void;
  // A progress line of its own (a strike-time sweep's phase).
  onNote?(text: string): void;
  // The results as known now: at the start (no run yet, status `running`), after every run, and
  // once more with the final status.
  onResults?(results: ResultsFile): void;
  // Writes the reporter's file(s) from the final results; resolves to the paths written.
  write?(results: ResultsFile, outDir: string): Promise<string | readonly string[] | null | undefined> | string | readonly string[] | null | undefined;
  onSuiteEnd?(results: ResultsFile, end: SuiteEnd): void;
}

// Where the multiplexer says that a reporter failed.
export interface ErrorSink {
  write(text: string): unknown;
}

// Calls every reporter in turn and isolates each: a reporter that throws (or rejects) never stops
// the run, the record or the other reporters; its first error is printed once on `stderr`, naming
// it, and `failed` lists it (the CLI then never exits 0). The `record` (results.json) is the one
// exception: it is called first and its errors propagate, since a gate must never read a stale or
// missing record.
export class Multiplexer implements Reporter {
  readonly name = 'multiplexer';
  private readonly errors = new Map<string, number>();
  private readonly stderr: ErrorSink;
  private readonly record: Reporter | undefined;

  constructor(private readonly reporters: readonly Reporter[], options: { record?: Reporter; stderr?: ErrorSink } = {}) {
    this.record = options.record;
    this.stderr = options.stderr ?? process.stderr;
  }

  // The names of the reporters that failed, in the order they first did; nested multiplexers'
  // failures included.
  get failed(): string[] {
    return [...this.errors.keys(), ...this.reporters.flatMap((r) => (r instanceof Multiplexer ? r.failed : []))];
  }

  onSuiteBegin(suite: SuiteBegin): void {
    this.each((r) => r.onSuiteBegin?.(suite));
  }

  onRunBegin(run: RunBegin): void {
    this.each((r) => r.onRunBegin?.(run));
  }

  onRunPhase(run: { id: string }, phase: RunPhase, live?: () => LiveLoad | undefined): void {
    this.each((r) => r.onRunPhase?.(run, phase, live));
  }

  onRunEnd(result: RunResult, end: RunEnd): void {
    this.each((r) => r.onRunEnd?.(result, end));
  }

  onNote(text: string): void {
    this.each((r) => r.onNote?.(text));
  }

  onResults(results: ResultsFile): void {
    this.record?.onResults?.(results);
    this.each((r) => r.onResults?.(results));
  }

  async write(results: ResultsFile, outDir: string): Promise<string[]> {
    const files = this.record ? paths(await this.record.write?.(results, outDir)) : [];
    for (const r of this.reporters) {
      try {
        files.push(...paths(await r.write?.(results, outDir)));
      } catch (error) {
        this.fail(r, error);
      }
    }
    return files;
  }

  onSuiteEnd(results: ResultsFile, end: SuiteEnd): void {
    this.each((r) => r.onSuiteEnd?.(results, end));
  }

  private each(call: (r: Reporter) => unknown): void {
    for (const r of this.reporters) {
      try {
        const out = call(r);
        // A hook written async: its rejection is the reporter's failure too, never unhandled.
        if (out && typeof (out as Promise<unknown>).then === 'function') (out as Promise<unknown>).then(undefined, (error: unknown) => this.fail(r, error));
      } catch (error) {
        this.fail(r, error);
      }
    }
  }

  private fail(r: Reporter, error: unknown): void {
    const seen = this.errors.get(r.name);
    this.errors.set(r.name, (seen ?? 0) + 1);
    if (seen === undefined) this.stderr.write(`shutdown-drill: the ${r.name} reporter failed: ${errorMessage(error)}; the runs, results.json and the other reporters go on, and the suite will not exit 0\n`);
  }
}

function paths(written: string | readonly string[] | null | undefined): string[] {
  if (!written) return [];
  return typeof written === 'string' ? [written] : [...written];
}

// The end of a suite for `reporter`, after its final onResults: every `write` awaited, then
// onSuiteEnd with the paths written. Returns the paths.
export async function endSuite(reporter: Reporter, results: ResultsFile, outDir: string): Promise<string[]> {
  const files = paths(await reporter.write?.(results, outDir));
  reporter.onSuiteEnd?.(results, { outDir, resultsFile: path.join(outDir, 'results.json'), files });
  return files;
}
