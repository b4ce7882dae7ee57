import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { HarnessError } from '../errors.js';
import { is2xx } from '../history/query.js';
import { compileUserRegex, type UserRegex } from '../scenario/regex.js';
import type { ReadySpec } from '../scenario/schema.js';
import { portAccepts } from './ports.js';

export interface ReadyContext {
  host: string;
  port: number | undefined;
  cwd: string;
  // Resolves when the process being waited for has exited.
  exited: Promise<unknown>;
  // True once a line matching the pattern has been printed (past or future).
  logSeen: (pattern: UserRegex) => boolean;
  // Calls back on each new line of output (so a log probe is met the moment its line arrives).
  onLine?: (listener: () => void) => () => void;
  // Output for error messages.
  lastLines: () => string[];
  signal?: AbortSignal;
  what: string;
}

// A human description of a readiness spec, e.g. "http /healthz + log /listening/".
export function describeReady(ready: ReadySpec | undefined): string {
  if (!ready) return 'spawned';
  const parts: string[] = [];
  if (ready.port) parts.push('port');
  if (ready.http) parts.push(`http ${typeof ready.http === 'string' ? ready.http : ready.http.path}`);
  if (ready.log) parts.push(`log /${ready.log}/`);
  if (ready.file) parts.push(`file ${ready.file}`);
  if (ready.afterMs !== undefined) parts.push(`after ${ready.afterMs} ms`);
  return parts.join(' + ') || 'spawned';
}

// Resolves when every probe of `ready` holds; rejects with TARGET_EXITED_EARLY when the process
// dies first and TARGET_NOT_READY at the deadline, both with the last lines of output.
export async function waitReady(ready: ReadySpec | undefined, ctx: ReadyContext): Promise<void> {
  if (!ready) return;
  const start = performance.now();
  const deadline = start + ready.timeoutMs;
  let exited = false;
  void ctx.exited.then(() => {
    exited = true;
  });
  const logRe = ready.log ? compileUserRegex(ready.log, `${ctx.what}: ready.log`) : undefined;
  const pending = new Set<string>(['port', 'http', 'log', 'file', 'afterMs'].filter((k) => (ready as Record<string, unknown>)[k] !== undefined));
  if (ready.port === undefined) pending.delete('port');
  if ((ready.port || ready.http) && ctx.port === undefined) {
    throw new HarnessError('SCENARIO_INVALID', `${ctx.what}: ready.${ready.port ? 'port' : 'http'} needs a port: put {port} in the command's args or env so the harness assigns one`);
  }
  for (;;) {
    if (ctx.signal?.aborted) throw new HarnessError('INTERRUPTED', `${ctx.what}: interrupted while waiting for readiness`);
    if (pending.has('afterMs') && performance.now() - start >= (ready.afterMs ?? 0)) pending.delete('afterMs');
    if (pending.has('log') && logRe && ctx.logSeen(logRe)) pending.delete('log');
    if (pending.has('file') && fs.existsSync(path.resolve(ctx.cwd, ready.file!))) pending.delete('file');
    if (pending.has('port') && (await portAccepts(ctx.port!, ctx.host, 250))) pending.delete('port');
    if (pending.has('http')) {
      const spec = typeof ready.http === 'string' ? { path: ready.http } : ready.http!;
      const status = await httpStatus(ctx.host, ctx.port!, spec.path, 500);
      const ok = spec.status ? spec.status.includes(status ?? -1) : is2xx(status);
      if (ok) pending.delete('http');
    }
    if (pending.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ready.intervalMs);
      const off = pending.has('log') && ctx.onLine ? ctx.onLine(done) : undefined;
      function done(): void {
        clearTimeout(timer);
        off?.();
        resolve();
      }
    });
    if (exited) {
      // One last look: a CLI may print its ready line and exit at once.
      throw new HarnessError('TARGET_EXITED_EARLY', `${ctx.what} exited before it was ready (waiting for: ${[...pending].join(', ')}).${tail(ctx.lastLines())}`);
    }
    if (performance.now() > deadline) {
      throw new HarnessError('TARGET_NOT_READY', `${ctx.what} was not ready after ${ready.timeoutMs} ms (still waiting for: ${[...pending].map((k) => describeReady({ ...ready, port: undefined, http: undefined, log: undefined, file: undefined, afterMs: undefined, [k]: (ready as Record<string, unknown>)[k] } as ReadySpec)).join(', ')}). Fix the readiness probe (target.ready) or raise target.ready.timeoutMs.${tail(ctx.lastLines())}`);
    }
  }
}

// The status of GET http://host:port/path, or null when it could not be fetched in time.
export function httpStatus(host: string, port: number, urlPath: string, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: urlPath, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

function tail(lines: string[]): string {
  return lines.length ? `\nLast output:\n  ${lines.slice(-10).join('\n  ')}` : '\n(no output)';
}
