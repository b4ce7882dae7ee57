import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CheckResult } from '../harness/check/types.js';
import type { HistoryEvent } from '../harness/history/events.js';
import { readHistory } from '../harness/history/reader.js';
import { writeHtmlReport } from '../harness/report/html.js';
import { RESULTS_SCHEMA_VERSION, type ResultsFile, type RunResult } from '../harness/report/types.js';

// A small deterministic PRNG (mulberry32) so synthetic suites are the same on every machine.
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticRunOptions {
  id: string;
  scenario: string;
  params?: Record<string, unknown>;
  seed: number;
  repeat?: number;
  // When the strike is planned (ms since origin) and how long the target takes to exit after it.
  strikeAt?: number;
  timeToExit?: number;
  requests?: number;
  wsClients?: number;
  // 'reset': in-flight requests are reset at the signal and the target exits 1;
  // 'hang': the target ignores SIGTERM until the SIGKILL escalation 10 s later.
  broken?: 'reset' | 'hang';
  extraLogLines?: string[];
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;

// One realistic run: the history a drill of an HTTP + WebSocket target would record (spawn, ready,
// probes, requests, connections, clients, the signal, the drain, log lines, files, the exit) and
// the matching RunResult (checks judged on the same numbers). `history` is `runs/<dir>/events.jsonl`.
export function syntheticRun(o: SyntheticRunOptions): { run: RunResult; events: HistoryEvent[] } {
  const rand = rng(o.seed * 7919 + (o.repeat ?? 0) * 104729 + 17);
  const events: HistoryEvent[] = [];
  const push = (e: HistoryEvent): void => void events.push(e);
  const pid = 40000 + Math.floor(rand() * 20000);
  const readyMs = 80 + rand() * 70;
  const strikeAt = o.strikeAt ?? readyMs + 400 + rand() * 100;
  const hang = o.broken === 'hang';
  const reset = o.broken === 'reset';
  const tte = hang ? 10000 + 1 + rand() * 3 : o.timeToExit ?? 150 + rand() * 100;
  const lateness = 0.05 + rand() * 0.6;
  const sentT = strikeAt + lateness;
  const exitT = sentT + tte;
  const port = 41000 + Math.floor(rand() * 1000);

  push({ type: 'run:start', t: 0, runId: o.id, scenario: o.scenario, params: o.params ?? {}, seed: o.seed, originWall: '2025-01-01T00:00:00.000Z', harnessPid: 1234 });
  push({ type: 'target:spawned', t: 1.2, pid, pgid: pid, command: 'node', args: ['targets/http-api/server.js', '--port', String(port)], cwd: '/work', port });
  push({ type: 'process:seen', t: 1.5, pid, ppid: 1234, pgid: pid, sid: pid, cmd: 'node targets/http-api/server.js' });
  push({ type: 'log:line', t: 30 + rand() * 10, stream: 'stdout', line: `\u001b[32minfo\u001b[39m listening on 127.0.0.1:${port}` });
  for (const line of o.extraLogLines ?? []) push({ type: 'log:line', t: 40 + rand() * 10, stream: 'stdout', line });
  push({ type: 'target:ready', t: readyMs, probe: 'http GET /healthz', readyMs: r3(readyMs - 1.2) });
  push({ type: 'load:started', t: readyMs + 1, driver: 'http', kind: 'http' });
  push({ type: 'load:started', t: readyMs + 1, driver: 'ready-probe', kind: 'probe' });
  push({ type: 'trigger:armed', t: readyMs + 1, trigger: `afterReadyMs ${Math.round(strikeAt - readyMs)}` });

  // Keep-alive connections.
  const conns = 4;
  for (let c = 0; c < conns; c++) push({ type: 'conn:open', t: readyMs + 2 + c * 0.3, driver: 'http', conn: `c${c}` });
  // Requests spread from ready to a little after the signal.
  const n = o.requests ?? 40;
  let lastEnd = sentT;
  for (let k = 0; k < n; k++) {
    const start = readyMs + 5 + (k / n) * (sentT + 150 - readyMs) + rand() * 5;
    const id = `r${k}`;
    push({ type: 'request:start', t: start, driver: 'http', id, conn: `c${k % conns}`, op: k % 5 === 0 ? 'POST /upload' : 'GET /slow' });
    let end = start + 20 + rand() * 250;
    let outcome: 'ok' | 'rejected' | 'reset' = 'ok';
    let status: number | undefined = 200;
    if (start > sentT + 2) {
      outcome = 'rejected';
      status = 503;
      end = start + 1 + rand() * 3;
    } else if (reset && end > sentT) {
      outcome = 'reset';
      status = undefined;
      end = sentT + 1 + rand();
    }
    if (end > exitT) {
      outcome = 'reset';
      status = undefined;
      end = exitT;
    }
    if (outcome === 'ok' && start <= sentT) lastEnd = Math.max(lastEnd, end);
    push({ type: 'request:end', t: end, driver: 'http', id, outcome, ...(status !== undefined ? { status } : { error: 'ECONNRESET' }), bytes: status === 200 ? 512 : 0 });
  }
  // The driver's live counters, every 50 ms while they change (what the load recorder emits).
  const ops = events.filter((e) => e.type === 'request:start' || e.type === 'request:end').sort((a, b) => a.t - b.t);
  let started = 0, ended = 0, k = 0, last = '';
  for (let t = readyMs + 50; t < exitT + 50; t += 50) {
    while (k < ops.length && ops[k]!.t <= t) (ops[k++]!.type === 'request:start' ? started++ : ended++);
    const key = `${started}/${ended}`;
    if (key !== last) push({ type: 'load:progress', t, driver: 'http', started, ended, inFlight: started - ended });
    last = key;
  }
  for (let c = 0; c < conns; c++) push({ type: 'conn:close', t: reset ? sentT + 1.5 : exitT - 1 + c * 0.1, driver: 'http', conn: `c${c}`, how: reset ? 'reset' : 'fin' });

  // WebSocket clients.
  const clients = o.wsClients ?? 6;
  for (let c = 0; c < clients; c++) {
    const open = readyMs + 3 + c;
    push({ type: 'ws:open', t: open, driver: 'ws', client: `w${c}` });
    for (let m = 0; m < 3; m++) push({ type: 'ws:message', t: open + 50 + m * 100, driver: 'ws', client: `w${c}`, data: `{"n":${m}}` });
    push({ type: 'ws:close', t: hang ? exitT : exitT - 4 + c * 0.05, driver: 'ws', client: `w${c}`, code: hang || reset ? 1006 : 1001, reason: hang || reset ? '' : 'server shutting down', byClient: false });
  }

  // Readiness probe every 50 ms: 200 until the signal, 503 after, refused once the target is gone.
  for (let t = readyMs + 10; t < exitT + 60; t += 50) {
    if (t < sentT + 3) push({ type: 'probe:status', t, driver: 'ready-probe', url: '/readyz', status: 200, ms: 0.8 });
    else if (t < exitT) push({ type: 'probe:status', t, driver: 'ready-probe', url: '/readyz', status: hang ? 200 : 503, ms: 0.9 });
    else push({ type: 'probe:status', t, driver: 'ready-probe', url: '/readyz', status: null, error: 'ECONNREFUSED', ms: 0.3 });
  }

  push({ type: 'file:seen', t: readyMs + 60, path: '/tmp/drill/upload.part', size: 4096, change: 'created' });
  push({ type: 'file:seen', t: readyMs + 160, path: '/tmp/drill/upload.part', size: 65536, change: 'grew' });
  if (!reset) push({ type: 'file:seen', t: exitT - 2, path: '/tmp/drill/upload.part', size: 0, change: 'removed' });

  push({ type: 'trigger:fired', t: strikeAt, trigger: `afterReadyMs ${Math.round(strikeAt - readyMs)}`, reason: 'delay elapsed', intendedT: strikeAt });
  push({ type: 'signal:sent', t: sentT, signal: 'SIGTERM', deliver: 'process', intendedT: strikeAt, sentT, step: 0, escalation: false, pids: [pid] });
  push({ type: 'log:line', t: sentT + 0.7, stream: 'stderr', line: hang ? 'SIGTERM ignored: waiting for the pool' : '\u001b[33mwarn\u001b[0m SIGTERM received, draining' });
  if (hang) {
    push({ type: 'target:alive', t: sentT + 1000, sinceSignalMs: 1000 });
    const killAt = strikeAt + 10000;
    push({ type: 'signal:sent', t: killAt + lateness, signal: 'SIGKILL', deliver: 'group', intendedT: killAt, sentT: killAt + lateness, step: 1, escalation: true, pids: [pid] });
  } else {
    push({ type: 'log:line', t: exitT - 3, stream: 'stdout', line: `drained in-flight requests in ${Math.round(lastEnd - sentT)} ms` });
  }
  push({ type: 'process:gone', t: exitT, pid });
  const code = hang ? null : reset ? 1 : 0;
  const signal = hang ? 'SIGKILL' : null;
  push({ type: 'target:exit', t: exitT, code, signal, shellCode: hang ? 137 : code!, byHarness: false });
  push({ type: 'load:stopped', t: exitT + 60, driver: 'http' });
  push({ type: 'load:stopped', t: exitT + 60, driver: 'ready-probe' });
  push({ type: 'run:end', t: exitT + 62 });
  events.sort((a, b) => a.t - b.t);
  for (const e of events) {
    e.t = r3(e.t);
    if (e.type === 'signal:sent') {
      e.sentT = r3(e.sentT);
      e.intendedT = r3(e.intendedT);
    } else if (e.type === 'trigger:fired') e.intendedT = r3(e.intendedT);
  }

  const checks: CheckResult[] = [];
  const check = (name: string, passed: boolean, expected: unknown, actual: unknown, message: string, details?: unknown[]): void => {
    checks.push({ name, passed, status: passed ? 'pass' : 'fail', expected, actual, message, ...(details ? { details } : {}) });
  };
  check('exit-status', !hang && !reset, { codes: [0, 143] }, { code, signal }, hang ? 'killed by SIGKILL' : reset ? 'exited with code 1' : 'exited with code 0');
  check('time-to-exit', tte <= 10000, { maxMs: 10000 }, r3(tte), `exited ${r3(tte)} ms after the signal`);
  check('no-escalation', !hang, { escalation: false }, { escalation: hang }, hang ? 'SIGKILL was needed after 10000 ms' : 'no escalation');
  if (reset) {
    const resets = events.filter((e) => e.type === 'request:end' && e.outcome === 'reset') as Array<{ t: number; id: string }>;
    check('drain', false, { inFlight: 'completed' }, { reset: resets.length }, `${resets.length} in-flight requests were reset`, resets.map((e) => ({ t: e.t, id: e.id, outcome: 'reset', afterSignalMs: r3(e.t - sentT) })));
  } else {
    check('drain', !hang, { inFlight: 'completed' }, { reset: 0 }, 'every in-flight request completed');
  }
  const passed = checks.every((c) => c.passed);
  const dirName = o.id.replace(/[^A-Za-z0-9._-]+/g, '_');
  const run: RunResult = {
    id: o.id,
    scenario: o.scenario,
    params: o.params ?? {},
    seed: o.seed,
    repeat: o.repeat ?? 0,
    verdict: passed ? 'pass' : 'fail',
    checks,
    metrics: {
      readyMs: r3(readyMs - 1.2),
      timeToExitMs: r3(tte),
      timeToExitFromLastSignalMs: r3(hang ? tte - 10000 : tte),
      strikeLatenessMs: r3(lateness),
      lifetimeMs: r3(exitT - 1.2),
      drainMs: r3(lastEnd - sentT),
      outcomes: { ok: n, reset: reset ? 5 : 0 },
    },
    exit: { code, signal, shellCode: hang ? 137 : code! },
    history: `runs/${dirName}/events.jsonl`,
    file: `scenarios/${o.scenario.split('/')[1] ?? 'suite'}.scenario.ts`,
    durationMs: r3(exitT + 70),
  };
  return { run, events };
}

// A results file around runs.
export function resultsFileOf(runs: RunResult[]): ResultsFile {
  const failed = runs.some((r) => r.verdict === 'fail' || r.verdict === 'error');
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: { name: 'shutdown-drill', version: '0.1.0' },
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:05:00.000Z',
    status: failed ? 'failed' : 'passed',
    machine: { cpus: 8, node: 'v20.18.1', os: 'linux x64' },
    runs,
  };
}

// Writes runs and their histories as `shutdown-drill run` would (results.json + runs/<dir>/events.jsonl).
export async function writeSuite(dir: string, items: Array<{ run: RunResult; events: HistoryEvent[] | null }>): Promise<ResultsFile> {
  for (const { run, events } of items) {
    if (!events || !run.history) continue;
    const file = path.join(dir, run.history);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }
  const results = resultsFileOf(items.map((i) => i.run));
  await fs.writeFile(path.join(dir, 'results.json'), JSON.stringify(results, null, 2));
  return results;
}

// A synthetic suite of `count` runs over 6 systems x 4 signals, repeated, about 5% failing.
export function syntheticSuite(count: number): Array<{ run: RunResult; events: HistoryEvent[] }> {
  const systems = ['downloader', 'todo', 'ws-chat', 'smtp-proxy', 'http-api', 'wrapper'];
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP', 'double'];
  const out: Array<{ run: RunResult; events: HistoryEvent[] }> = [];
  for (let i = 0; i < count; i++) {
    const system = systems[i % systems.length]!;
    const signal = signals[Math.floor(i / systems.length) % signals.length]!;
    const repeat = Math.floor(i / (systems.length * signals.length));
    const broken = i % 20 === 7 ? 'reset' : i % 97 === 13 ? 'hang' : undefined;
    const variant = broken ? `broken-${broken}` : 'correct';
    const base = `seed/${system}/${variant}[signal=${signal}]`;
    out.push(syntheticRun({ id: `${base}#${repeat}`, scenario: `seed/${system}/${variant}`, params: { signal }, seed: 1000 + i, repeat, ...(broken ? { broken } : {}) }));
  }
  return out;
}

// Builds the HTML report of a synthetic 1,000-run suite (histories read from disk as `report DIR`
// does) and returns the wall time of reading the histories + building + writing index.html (and
// the CPU time and file size).
export async function buildReport1000(): Promise<{ ms: number; cpuMs: number; bytes: number }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sd-report1000-'));
  try {
    const results = await writeSuite(dir, syntheticSuite(1000));
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    const file = await writeHtmlReport({
      outDir: dir,
      results,
      loadHistory: (run) => (run.history ? readHistory(path.join(dir, run.history)) : null),
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const used = process.cpuUsage(cpu);
    const { size } = await fs.stat(file);
    // cpuMs (this process's CPU time) is less sensitive than ms to other load on the machine.
    return { ms: Math.round(ms * 10) / 10, cpuMs: Math.round((used.user + used.system) / 100) / 10, bytes: size };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
