import { Worker } from 'node:worker_threads';
import { Clock } from '../harness/clock.js';
import { errorMessage } from '../harness/errors.js';
import type { HistoryEvent } from '../harness/history/events.js';
import { History } from '../harness/history/writer.js';
import { createLoadDriver } from '../harness/load/index.js';
import { LoadSchema } from '../harness/scenario/schema.js';
import { fixture } from './paths.js';
import { workerJob } from './worker-job.js';
import { collectStdout, endTracked, spawnTracked, waitLine, type Tracked } from './procs.js';

export interface Autocannon {
  requests: number;
  errors: number;
  non2xx: number;
  seconds: number;
  rps: number;
  // CPU time of the thread that ran autocannon (ms), where /proc/thread-self/schedstat is readable.
  cpuMs?: number | null;
}

// The trivial HTTP target, started by the bench; resolves once it listens.
export async function startHttpServer(): Promise<{ server: Tracked; port: number; url: string; stop: () => Promise<void> }> {
  const server = await spawnTracked(process.execPath, [fixture('http-server.mjs'), '0'], { tag: 'http' });
  try {
    const line = await waitLine(server, /^listening \d+$/, 10_000);
    const port = Number(line.split(' ')[1]);
    return { server, port, url: `http://127.0.0.1:${port}/`, stop: () => endTracked(server) };
  } catch (error) {
    await endTracked(server);
    throw error;
  }
}

// Standalone autocannon in its own process (the peer of the harness's HTTP driver).
export async function standaloneAutocannon(url: string, connections: number, seconds: number): Promise<Autocannon> {
  const t = await spawnTracked(process.execPath, [fixture('autocannon-run.mjs'), url, String(connections), String(seconds)], { tag: 'autocannon' });
  try {
    const out = await collectStdout(t);
    const json = out.lines.find((l) => l.startsWith('{'));
    if (!json) throw new Error(`bench: standalone autocannon printed no result (exit ${out.code}): ${out.stderr.trim()}`);
    const r = JSON.parse(json) as Autocannon & { error?: string };
    if (r.error) throw new Error(`bench: standalone autocannon failed: ${r.error}`);
    return r;
  } finally {
    await endTracked(t);
  }
}

// Background load: autocannon in a worker thread of this process against `url` for at most
// `seconds`; stop() ends it early and resolves with what it achieved.
export async function backgroundLoad(url: string, connections: number, seconds: number): Promise<{ stop: () => Promise<Autocannon | { error: string }> }> {
  const worker = new Worker(fixture('autocannon-run.mjs'), { workerData: { url, connections, seconds } });
  return workerJob<Autocannon | { error: string }>(worker, (why) => ({ error: `the load worker: ${why}` }));
}

// The CPU time and wall time of a worker driver's load thread while its load ran (load:stopped's
// `thread`, harness/load/thread-cpu.ts), or undefined when the history has none.
export function loadThreadBusy(events: readonly HistoryEvent[], driver: string): { cpuMs: number; wallMs: number } | undefined {
  for (const e of events) {
    if (e.type !== 'load:stopped' || e.driver !== driver) continue;
    const thread = (e.stats as { thread?: { cpuMs?: unknown; wallMs?: unknown } } | undefined)?.thread;
    if (typeof thread?.cpuMs === 'number' && typeof thread.wallMs === 'number') return { cpuMs: thread.cpuMs, wallMs: thread.wallMs };
  }
  return undefined;
}

// Whether the harness has a load driver for this kind of load entry (e.g. `{ http: {} }`): true,
// or the reason it does not (the driver factory's own error message).
export async function driverAvailable(entry: Record<string, unknown>): Promise<true | string> {
  const history = new History({ clock: new Clock() });
  const abort = new AbortController();
  try {
    const spec = LoadSchema.parse(entry);
    const driver = createLoadDriver(spec, { history, clockOrigin: history.clock.origin.toString(), host: '127.0.0.1', port: 9, name: 'probe', runDir: '/tmp', signal: abort.signal });
    await driver.stop().catch(() => undefined);
    return true;
  } catch (error) {
    return errorMessage(error);
  } finally {
    abort.abort();
    history.close();
  }
}

// Requests per second a driver achieved in one run, from its history: responses (`request:end`
// with a status, plus the folded `load:summary` counts) over the window in which the load was
// actually running: the first `request:start` (or summary fromT) to the last response (or summary
// toT), so the worker's start-up and the wait for the strike are not counted against it. Falls back
// to the last cumulative `load:progress` count over load:started → that event. Undefined when the
// history has none of these. (Read loosely: the load events are still settling.)
export function rpsFromHistory(events: readonly HistoryEvent[], driver?: string): { rps: number; requests: number; seconds: number; how: string } | undefined {
  type Loose = { type: string; t: number; driver?: string; [k: string]: unknown };
  const list = (events as unknown as Loose[]).filter((e) => driver === undefined || e.driver === undefined || e.driver === driver);
  let ok = 0;
  let from = Infinity;
  let to = -Infinity;
  for (const e of list) {
    if (e.type === 'request:start') from = Math.min(from, e.t);
    else if (e.type === 'request:end' && (e['status'] !== undefined || e['outcome'] === 'ok')) {
      ok++;
      to = Math.max(to, e.t);
    } else if (e.type === 'load:summary') {
      const outcomes = (e['outcomes'] ?? {}) as Record<string, number>;
      ok += (outcomes['ok'] ?? 0) + (outcomes['http-error'] ?? 0);
      from = Math.min(from, Number(e['fromT'] ?? e.t));
      to = Math.max(to, Number(e['toT'] ?? e.t));
    }
  }
  if (ok > 0 && to > from) {
    const seconds = (to - from) / 1000;
    return { rps: ok / seconds, requests: ok, seconds, how: 'responses (request:end + load:summary) from the first request to the last response' };
  }
  const started = list.find((e) => e.type === 'load:started');
  const progress = list.filter((e) => e.type === 'load:progress').pop();
  if (started && progress && typeof progress['ended'] === 'number' && progress.t > started.t) {
    const s = (progress.t - started.t) / 1000;
    return { rps: (progress['ended'] as number) / s, requests: progress['ended'] as number, seconds: s, how: 'the last load:progress count over load:started → that event' };
  }
  return undefined;
}
