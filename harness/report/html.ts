import path from 'node:path';
import { errorMessage } from '../errors.js';
import type { HistoryEvent } from '../history/events.js';
import { readRunHistory } from '../history/run-folder.js';
import { writeFileAtomic } from './atomic.js';
import { insideDir } from './inside.js';
import { redactValue } from '../redact.js';
import { groupRuns, metricValues, passRate } from './compare.js';
import { reportAsset, uplotAssets } from './html/assets.js';
import { jsonForScript } from './html/escape.js';
import { renderPage } from './html/page.js';
import { replayCommand } from './replay.js';
import { buildTimeline, OUTCOMES, type TimelineData } from './html/timeline.js';
import { rootCauseOf } from './root-cause.js';
import { summarize } from './stats.js';
import { outcomeOf } from './outcome.js';
import type { ResultsFile, RunResult } from './types.js';
// The overview's row, as the page's script reads it (one type for both sides).
import type { RunRow } from './html/client/data.js';

export interface HtmlReportOptions {
  outDir: string;
  results: ResultsFile;
  // The run's history, or null when it has none; may throw (the run's detail then says why).
  loadHistory: (run: RunResult) => HistoryEvent[] | null;
  title?: string;
  // Where to write the page (default `<outDir>/index.html`).
  file?: string;
}

// Writes `<outDir>/index.html` atomically and returns its path: one self-contained file (uPlot,
// styles and scripts inlined, no network) with the overview, filters, repeat statistics and, per
// run, a lazily rendered detail (timeline, checks, metrics, logs, replay command) kept as escaped
// JSON. A history that cannot be read costs only that run's timeline. Secrets are redacted in the
// data (results, histories) before the page is built: its markup and scripts are never touched.
export async function writeHtmlReport(options: HtmlReportOptions): Promise<string> {
  const file = options.file ?? path.join(options.outDir, 'index.html');
  const results = redactValue(options.results);
  const loadHistory = (run: RunResult): HistoryEvent[] | null => {
    const events = options.loadHistory(run);
    return events && redactValue(events);
  };
  await writeFileAtomic(file, buildHtmlReport({ ...options, results, loadHistory, ...(options.title === undefined ? {} : { title: redactValue(options.title) }) }));
  return file;
}

// The loadHistory of a saved out dir: the run's events.jsonl resolved against `outDir` (with any
// load segment left unmerged beside it, as report DIR judges it: history/run-folder.ts), null when
// the run has no history or the file is gone; other read errors are thrown (and shown per run), as
// is a history path that leads outside `outDir` (never read).
export function historyLoader(outDir: string): (run: RunResult) => HistoryEvent[] | null {
  return (run) => {
    if (!run.history) return null;
    const file = insideDir(outDir, run.history);
    try {
      return readRunHistory(file).events;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  };
}

// writeHtmlReport for a saved out dir (histories read from it), to `file` (default <outDir>/index.html).
export function writeHtmlReportFor(outDir: string, results: ResultsFile, file?: string): Promise<string> {
  return writeHtmlReport({ outDir, results, loadHistory: historyLoader(outDir), ...(file === undefined ? {} : { file }) });
}

// The HTML text of the report (what writeHtmlReport writes).
export function buildHtmlReport({ results, loadHistory, title }: Omit<HtmlReportOptions, 'outDir'>): string {
  const runs = results.runs;
  const grouped = [...groupRuns(runs)];
  const position = new Map<RunResult, number>(runs.map((r, i) => [r, i]));
  const groupOf = new Map<RunResult, number>();
  const groups: unknown[] = [];
  for (const [key, list] of grouped) {
    const index = list.length > 1 ? groups.length : -1;
    for (const run of list) groupOf.set(run, index);
    if (list.length < 2) continue;
    const tteValues = metricValues(list, 'timeToExitMs');
    const drainValues = metricValues(list, 'drainMs');
    groups.push({
      key,
      scenario: list[0]!.scenario,
      runs: list.map((r) => position.get(r)!),
      rate: passRate(list),
      tte: nullable(summarize(tteValues)),
      drain: nullable(summarize(drainValues)),
      tteValues,
      drainValues,
    });
  }
  const rows: RunRow[] = runs.map((run) => ({
    id: run.id,
    scenario: run.scenario,
    verdict: run.verdict,
    repeat: run.repeat,
    params: shortParams(run.params),
    failing: run.checks.filter((c) => !c.passed).map((c) => c.name),
    checks: run.checks.map((c) => c.name),
    tte: num(run.metrics?.['timeToExitMs']),
    drain: num(run.metrics?.['drainMs']),
    durationMs: num(run.durationMs),
    reason: run.reason ?? null,
    group: groupOf.get(run) ?? -1,
    outcome: outcomeOf(run),
    outcomeNote: run.outcomeNote ?? null,
    marked: Boolean(run.fails),
  }));
  const index = {
    title: title ?? 'shutdown-drill report',
    suite: {
      status: results.status,
      startedAt: results.startedAt,
      finishedAt: results.finishedAt,
      tool: results.tool,
      machine: results.machine,
      containment: results.containment ?? null,
      options: results.options ?? null,
    },
    outcomes: OUTCOMES,
    runs: rows,
    groups,
  };
  const data: Array<{ id: string; json: string }> = [{ id: 'sd-index', json: jsonForScript(index) }];
  runs.forEach((run, i) => {
    data.push({ id: `sd-run-${i}`, json: jsonForScript(runDetail(run, loadHistory)) });
  });
  // Strike-time sweeps: their points link to runs by index (harness/report/html/sweep-client.js).
  const sweeps = results.sweeps ?? [];
  if (sweeps.length) data.push({ id: 'sd-sweeps', json: jsonForScript({ sweeps, runIndex: Object.fromEntries(runs.map((r, i) => [r.id, i])) }) });
  const uplot = uplotAssets();
  return renderPage({
    title: index.title,
    styles: [uplot.css, reportAsset('styles.css')],
    data,
    scripts: [uplot.js, reportAsset('shared.js'), reportAsset('client.js'), ...(sweeps.length ? [reportAsset('sweep-client.js')] : [])],
    body: `<div id="app"><noscript>This report needs JavaScript to show the runs; results.json holds the same data.</noscript></div>${sweeps.length ? '<div id="sd-sweeps-view"></div>' : ''}`,
  });
}

function runDetail(run: RunResult, loadHistory: HtmlReportOptions['loadHistory']): unknown {
  let timeline: TimelineData | null = null;
  let historyError: string | null = null;
  let events: HistoryEvent[] | null = null;
  try {
    events = run.history === null ? null : loadHistory(run);
    if (events) timeline = buildTimeline(events);
    else historyError = run.history === null ? 'this run recorded no history' : `history ${run.history} not found`;
  } catch (error) {
    historyError = `history ${run.history ?? ''} could not be read: ${errorMessage(error)}`;
  }
  // The root cause as recorded, or (older results) from the checks and the history.
  const failed = run.checks.some((c) => c.status !== 'pass');
  const rootCause = failed ? run.rootCause ?? rootCauseOf(run.checks, events ?? []) : null;
  return { run, replay: replayCommand(run), timeline, historyError, rootCause };
}

function shortParams(params: Record<string, unknown> | undefined): string {
  if (!params) return '';
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function nullable<T extends object>(summary: T): { [K in keyof T]: T[K] | null } {
  const out = {} as { [K in keyof T]: T[K] | null };
  for (const [k, v] of Object.entries(summary)) (out as Record<string, unknown>)[k] = typeof v === 'number' && !Number.isFinite(v) ? null : v;
  return out;
}
