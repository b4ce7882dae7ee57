import { HarnessError } from '../errors.js';
import type { LoadSpec } from '../scenario/schema.js';
import { createBrowserDriver } from './browser.js';
import { httpEngineOf } from './http-engine.js';
import { createProbeDriver } from './probe.js';
import type { LoadContext, LoadDriver } from './types.js';
import { WorkerLoad } from './worker-host.js';

// Creates the driver for one `load` entry: http, ws and tcp run in a worker thread (worker-host.ts),
// probe and browser on the main thread (a few requests per second; the browser is its own process).
// Nothing runs until start().
export function createLoadDriver(spec: LoadSpec, ctx: LoadContext): LoadDriver {
  if ('http' in spec) {
    const h = spec.http;
    return new WorkerLoad('http', spec, ctx, {
      detail: {
        engine: httpEngineOf(h), connections: h.connections, keepAlive: h.keepAlive, pipelining: h.pipelining,
        ...(h.rate !== undefined ? { rate: h.rate } : {}), ...(h.amount !== undefined ? { amount: h.amount } : {}), durationMs: h.durationMs,
      },
    });
  }
  if ('ws' in spec) return new WorkerLoad('ws', spec, ctx, { detail: { clients: spec.ws.clients, path: spec.ws.path, messagesPerSecond: spec.ws.messagesPerSecond } });
  if ('tcp' in spec) return new WorkerLoad('tcp', spec, ctx, { detail: { clients: spec.tcp.clients, steps: spec.tcp.script.length, loop: spec.tcp.loop } });
  if ('probe' in spec) return createProbeDriver(spec.probe, ctx);
  if ('browser' in spec) return createBrowserDriver(spec.browser, ctx);
  throw new HarnessError('LOAD_FAILED', `load "${ctx.name}": unknown load kind \`${Object.keys(spec)[0]}\`; expected one of http, ws, tcp, browser, probe`);
}
