import fs from 'node:fs';
import type { HarnessRunner } from './harness-runs.js';
import { whyNotPassed } from './harness-runs.js';
import { fixture } from './paths.js';
import { endTracked, spawnTracked, waitLine, type Tracked } from './procs.js';

export interface FdLimits {
  soft: number;
  hard: number;
}

// This process's open-file limits (Infinity for "unlimited"); undefined without /proc.
export function fdLimits(): FdLimits | undefined {
  try {
    const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const [soft, hard] = line!.replace('Max open files', '').trim().split(/\s+/);
    const n = (s: string | undefined): number => (s === 'unlimited' ? Infinity : Number(s));
    return { soft: n(soft), hard: n(hard) };
  } catch {
    return undefined;
  }
}

export interface WsHeld {
  asked: number;
  opened: number;
  failed: number;
  code1001: number;
  otherCodes: Record<string, number>;
  errors: Record<string, number>;
  connectMs: number;
  // SIGTERM to the server -> the last client saw its close.
  closeAllMs: number | null;
  timedOut: boolean;
  how: string;
  notes: string[];
}

// File descriptors a process may use (its limit once raised as far as allowed), minus headroom.
function fdBudget(limits: FdLimits | undefined, wanted: number): { limit: number; clients: number; note?: string } {
  const headroom = 200;
  if (!limits) return { limit: wanted + headroom, clients: wanted };
  const limit = Math.min(limits.hard, Math.max(limits.soft, wanted + headroom));
  const clients = Math.min(wanted, limit - headroom);
  return clients < wanted
    ? { limit, clients, note: `the open-file limit allows ${clients} clients per process (hard limit ${limits.hard}, ${headroom} kept for other files): ask root to raise \`ulimit -Hn\` to reach ${wanted}` }
    : { limit, clients };
}

// Runs `node script args` with the open-file soft limit raised to `limit` (as far as the hard limit allows).
function withLimit(limit: number, script: string, args: string[], tag: string): Promise<Tracked> {
  return spawnTracked('sh', ['-c', 'ulimit -n "$0" 2>/dev/null || true; exec "$@"', String(limit), process.execPath, script, ...args], { tag });
}

// Holds `wanted` WebSocket clients (one helper process) against a ws server (another process,
// each with the open-file limit raised as far as allowed), SIGTERMs the server and counts the
// clients closed with 1001. Everything started is ended before it resolves.
export async function holdWsClients(wanted: number): Promise<WsHeld> {
  const budget = fdBudget(fdLimits(), wanted);
  const notes = budget.note ? [budget.note] : [];
  let server: Tracked | undefined;
  let clients: Tracked | undefined;
  try {
    server = await withLimit(budget.limit, fixture('ws-server.mjs'), ['0'], 'ws-server');
    const port = Number((await waitLine(server, /^listening \d+$/, 10_000)).split(' ')[1]);
    clients = await withLimit(budget.limit, fixture('ws-clients.mjs'), [`ws://127.0.0.1:${port}/`, String(budget.clients), '256', '120000'], 'ws-clients');
    const open = (await waitLine(clients, /^open /, 120_000)).split(' ');
    const sigHr = process.hrtime.bigint();
    process.kill(server.pid, 'SIGTERM');
    const result = JSON.parse(await waitLine(clients, /^\{/, 60_000)) as { opened: number; failed: number; code1001: number; otherCodes: Record<string, number>; errors: Record<string, number>; connectMs: number; lastCloseHr: string; timedOut: boolean };
    const last = BigInt(result.lastCloseHr);
    if (result.failed > 0) notes.push(`${result.failed} of ${budget.clients} clients could not connect: ${JSON.stringify(result.errors)}`);
    return {
      asked: wanted, opened: result.opened, failed: result.failed, code1001: result.code1001, otherCodes: result.otherCodes, errors: result.errors,
      connectMs: Number(open[3]), closeAllMs: last > sigHr ? Number(last - sigHr) / 1e6 : null, timedOut: result.timedOut,
      how: 'ws clients in a helper process against a ws server process (the harness ws driver is not available)', notes,
    };
  } finally {
    if (clients) await endTracked(clients);
    if (server) await endTracked(server);
  }
}

// The same through the harness's ws load driver: one run whose target is the ws server, with
// `clients` ws clients, struck with SIGTERM once all are connected. Counts ws:close events with 1001.
export async function holdWsClientsViaDriver(runner: HarnessRunner, wanted: number): Promise<WsHeld> {
  // The driver's clients live in this process (and the target inherits its limit), whose limit
  // cannot be raised from inside Node.
  const own = fdLimits();
  const clients = own ? Math.max(1, Math.min(wanted, own.soft - 300)) : wanted;
  const notes = clients < wanted ? [`the bench process's open-file soft limit (${own?.soft}) caps the driver at ${clients} clients: run \`ulimit -n ${wanted + 500}\` before \`npm run bench\``] : [];
  const s = await runner.run('bench/ws-clients', {
    target: { command: process.execPath, args: [fixture('ws-server.mjs'), '{port}'], ready: { log: '^listening', timeoutMs: 10_000 } },
    load: [{ ws: { name: 'ws', clients, connectTimeoutMs: 60_000, durationMs: 180_000 } }],
    strike: { at: { wsAllConnected: true, timeoutMs: 120_000 }, signal: 'SIGTERM', escalate: { afterMs: 30_000 } },
    expect: { exit: { codes: [0] }, wsCloseCodes: { codes: [1001] } },
    timeoutMs: 240_000,
  });
  const closes = s.events.filter((e) => e.type === 'ws:close');
  const opened = s.events.filter((e) => e.type === 'ws:open').length;
  const code1001 = closes.filter((e) => e.type === 'ws:close' && e.code === 1001).length;
  const otherCodes: Record<string, number> = {};
  for (const e of closes) if (e.type === 'ws:close' && e.code !== 1001) otherCodes[e.code] = (otherCodes[e.code] ?? 0) + 1;
  const sig = s.events.find((e) => e.type === 'signal:sent');
  const lastClose = closes.reduce((m, e) => Math.max(m, e.t), 0);
  const firstOpen = s.events.find((e) => e.type === 'ws:open');
  const lastOpen = s.events.filter((e) => e.type === 'ws:open').reduce((m, e) => Math.max(m, e.t), 0);
  if (s.result.verdict !== 'pass') notes.push(whyNotPassed(s));
  return {
    asked: wanted, opened, failed: clients - opened, code1001, otherCodes, errors: {}, connectMs: firstOpen ? lastOpen - firstOpen.t : Number.NaN,
    closeAllMs: sig && lastClose > sig.t ? lastClose - sig.t : null, timedOut: s.result.errorCode === 'RUN_TIMEOUT' || s.result.errorCode === 'TRIGGER_TIMEOUT',
    how: 'through the harness ws load driver (one run, strike on wsAllConnected)', notes,
  };
}
