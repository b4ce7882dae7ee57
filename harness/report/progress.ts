import { HarnessError } from '../errors.js';
import type { HistoryEvent } from '../history/events.js';

// Where a run is, for the live line and the CI heartbeat: spawned and waiting to be ready, ready,
// load running before the strike, striking, draining (signalled, not yet exited), checks (exited:
// sweeping the tree, judging).
export type RunPhase = 'starting' | 'ready' | 'load' | 'strike' | 'draining' | 'checks';

// The phase a run is in after `event`, or undefined when the event does not move it. Pure.
export function phaseAfter(event: HistoryEvent, current: RunPhase | undefined): RunPhase | undefined {
  switch (event.type) {
    case 'run:start': return 'starting';
    case 'target:ready': return 'ready';
    case 'load:started': return current === 'strike' || current === 'draining' || current === 'checks' ? undefined : 'load';
    // Armed: waiting for the moment under load (or, without load, waiting to strike).
    case 'trigger:armed': return current === 'load' ? undefined : 'strike';
    case 'trigger:fired': return 'strike';
    case 'signal:sent': return event.escalation || current === 'checks' ? undefined : 'draining';
    case 'target:exit': return 'checks';
    default: return undefined;
  }
}

// How long, for people: `850ms`, `12.3s`, `2m05s`.
export function elapsedText(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  const s = Math.floor(ms / 1_000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export interface SuiteHeader {
  scenarios: number;
  runs: number;
  containment: string;
  outDir: string;
  concurrency?: number;
}

// The first line a suite prints (at once, before any run ends): what it will do and where to look.
export function headerText(h: SuiteHeader): string {
  const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;
  return `shutdown-drill: ${plural(h.runs, 'run')} of ${plural(h.scenarios, 'scenario')}${h.concurrency && h.concurrency > 1 ? `, ${h.concurrency} at a time` : ''}; containment ${h.containment}; out ${h.outDir}\n`;
}

// A run's load as it goes, summed over its drivers that publish live counters (the worker
// drivers, through shared memory): responses so far, operations in flight, connected clients.
export interface LiveLoad { responses: number; inFlight: number; clients: number }

// `live` reads the run's load counters when asked (each repaint), undefined without load.
export interface Running { id: string; phase: RunPhase; sinceMs: number; live?: () => LiveLoad | undefined }

const LIVE_PHASES: ReadonlySet<RunPhase> = new Set(['load', 'strike', 'draining']);
const count = (n: number): string => n.toLocaleString('en-US');

// `, 12,345 responses, 10 in flight, 50 clients` while the load runs; '' otherwise.
function liveText(r: Running): string {
  const l = LIVE_PHASES.has(r.phase) ? r.live?.() : undefined;
  if (!l || l.responses + l.inFlight + l.clients === 0) return '';
  return `, ${count(l.responses)} response${l.responses === 1 ? '' : 's'}, ${count(l.inFlight)} in flight${l.clients ? `, ${count(l.clients)} client${l.clients === 1 ? '' : 's'}` : ''}`;
}

// One line of progress: `[3/10] 12.3s: seed/x (draining 1.2s, 812 responses, 3 in flight), seed/y (load 0.4s) +1`.
export function progressText(p: { done: number; total: number; elapsedMs: number; running: readonly Running[]; now: number }): string {
  const shown = p.running.slice(0, 2).map((r) => `${r.id} (${r.phase} ${elapsedText(p.now - r.sinceMs)}${liveText(r)})`);
  const more = p.running.length > 2 ? ` +${p.running.length - 2}` : '';
  return `[${p.done}/${p.total}] ${elapsedText(p.elapsedMs)}${shown.length ? `: ${shown.join(', ')}${more}` : ''}`;
}

// Default period of the heartbeat line printed when stdout is not a terminal (CI logs).
export const HEARTBEAT_MS = 5_000;

// The heartbeat period: SHUTDOWN_DRILL_HEARTBEAT_MS (whole milliseconds, >= 100) or the default;
// any other value is a usage error naming the variable.
export function heartbeatMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env['SHUTDOWN_DRILL_HEARTBEAT_MS'];
  if (text === undefined || text === '') return HEARTBEAT_MS;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 100) throw new HarnessError('USAGE', `SHUTDOWN_DRILL_HEARTBEAT_MS must be a whole number of milliseconds >= 100, got "${text}"; unset it for the default ${HEARTBEAT_MS}`);
  return n;
}
