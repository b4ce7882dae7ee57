import http from 'node:http';
import type { LoadKindSpec } from './kind-registry.js';
import { deferred, requirePort } from './engine.js';
import { errorText } from './outcome.js';
import type { LoadContext, LoadDriver } from './types.js';
import { round3 } from '../clock.js';

export type ProbeLoad = LoadKindSpec<'probe'>;

// One probe request on a fresh connection (as a load balancer or kubelet probes): the status, or
// null with the error code (ECONNREFUSED once the listener is closed).
export function probeOnce(options: { host: string; port: number; path: string; timeoutMs: number }): Promise<{ status: number | null; error?: string }> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: { status: number | null; error?: string }): void => {
      if (done) return;
      done = true;
      resolve(r);
    };
    const req = http.get({ host: options.host, port: options.port, path: options.path, agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      finish({ status: res.statusCode ?? null });
    });
    req.setTimeout(options.timeoutMs, () => {
      finish({ status: null, error: `timeout: no answer within ${options.timeoutMs} ms` });
      req.destroy();
    });
    req.on('error', (error: NodeJS.ErrnoException) => finish({ status: null, error: error.code ?? errorText(error) }));
  });
}

// The probe driver: polls http://host:port/path every `everyMs` (from one poll's start to the
// next; a slow answer delays the next poll, never overlaps it) and records every answer as a
// probe:status event stamped when the answer (or the failure) arrived. Runs on the main thread
// (a few requests per second); ends by itself after durationMs, or after one last poll once the
// target has exited.
export function createProbeDriver(spec: ProbeLoad, ctx: LoadContext): LoadDriver {
  const { history, name } = ctx;
  const done = deferred();
  let stopped = false;
  let exited = false;
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let unsubscribe: (() => void) | undefined;
  let polls = 0;
  const url = `http://${ctx.host}:${ctx.port ?? 0}${spec.path}`;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });

  const run = async (port: number, first: () => void): Promise<void> => {
    const startT = history.clock.now();
    while (!stopped) {
      const t0 = history.clock.now();
      const wasExited = exited;
      const r = await probeOnce({ host: ctx.host, port, path: spec.path, timeoutMs: spec.timeoutMs });
      if (stopped && polls > 0) break;
      const t = history.clock.now();
      polls++;
      history.emit({ type: 'probe:status', t, driver: name, url, status: r.status, ...(r.error ? { error: r.error } : {}), ms: round3(t - t0) });
      first();
      if (wasExited || t - startT >= spec.durationMs) break;
      const left = spec.everyMs - (history.clock.now() - t0);
      if (left > 0 && !stopped && !exited) await sleep(left);
    }
    done.resolve();
  };

  return {
    name,
    kind: 'probe',
    done: done.promise,
    start() {
      let port: number;
      try {
        port = requirePort(ctx.port, name);
      } catch (error) {
        done.resolve();
        return Promise.reject(error);
      }
      history.emit({ type: 'load:started', driver: name, kind: 'probe', detail: { url, everyMs: spec.everyMs } });
      unsubscribe = history.subscribe((e) => {
        if (e.type === 'target:exit') {
          exited = true;
          wake?.();
        }
      });
      ctx.signal.addEventListener('abort', () => void this.stop(), { once: true });
      const firstAnswer = deferred();
      loop = run(port, () => firstAnswer.resolve());
      return firstAnswer.promise;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe?.();
      wake?.();
      await loop;
      history.emit({ type: 'load:stopped', driver: name, stats: { polls } });
      done.resolve();
    },
  };
}
