import type { Engine } from '../engine.js';
import { httpEngineOf } from '../http-spec.js';
import { defineLoadKind } from '../kind.js';

// `http`: requests from `connections` connections, in a load worker, on autocannon or the tracked
// engine (node http without keep-alive; http-spec.ts httpEngineOf picks one).
export const http = defineLoadKind({
  kind: 'http',
  thread: 'worker',
  schema: ({ z, ms, positiveInt, loadName, loadDuration }) => {
    const request = z.strictObject({
      method: z.string().default('GET').describe('HTTP method of this request'),
      path: z.string().default('/').describe('Path of this request'),
      body: z.string().optional().describe('Request body'),
      headers: z.record(z.string(), z.string()).optional().describe('Request headers'),
    });
    return z.strictObject({
      name: loadName,
      connections: positiveInt.default(10).describe('Concurrent connections'),
      rate: z.number().positive().optional().describe('Requests per second over all connections; unset: as fast as possible'),
      amount: positiveInt.optional().describe('Stop after this many requests in all (or at `durationMs`, whichever comes first)'),
      durationMs: loadDuration,
      requests: z.array(request).min(1).optional().describe('Requests sent in turn on each connection, instead of `method` + `path`'),
      path: z.string().default('/').describe('Path requested'),
      method: z.string().default('GET').describe('HTTP method'),
      keepAlive: z.boolean().default(true).describe('Reuse connections; `false` sends `Connection: close` and runs on the `tracked` engine'),
      timeoutMs: ms.default(10_000).describe('Idle timeout in ms: a request with no byte sent or received for this long ends as `timeout`, the driver giving up (drain: an error, not a failure); a slow answer still streaming is never cut'),
      totalTimeoutMs: ms.optional().describe('Optional bound in ms on a whole request (start to last byte); unset: none, only the idle `timeoutMs` applies'),
      pipelining: positiveInt.default(1).describe('Requests written ahead on one connection (autocannon engine)'),
      // autocannon (throughput, keep-alive only) or tracked (node http Agent, one request per
      // connection at a time); unset = autocannon with keep-alive, tracked without (autocannon writes
      // the next request on a `Connection: close` socket and loses it, see harness/load/http-spec.ts).
      engine: z.enum(['autocannon', 'tracked']).optional().describe('`autocannon` (fast, keep-alive only) or `tracked` (node http, one request per connection at a time, exact); unset: autocannon with keep-alive, tracked without'),
    }).refine((h) => !(h.engine === 'autocannon' && h.keepAlive === false), {
      message: '`engine: autocannon` cannot run with `keepAlive: false` (autocannon reuses a connection the server asked to close and loses the request); use `engine: tracked` or leave `engine` unset',
    }).describe('HTTP load: requests from `connections` connections (autocannon, or node http without keep-alive)');
  },
  detail: (h): Record<string, unknown> => ({
    engine: httpEngineOf(h), connections: h.connections, keepAlive: h.keepAlive, pipelining: h.pipelining,
    ...(h.rate !== undefined ? { rate: h.rate } : {}), ...(h.amount !== undefined ? { amount: h.amount } : {}), durationMs: h.durationMs,
  }),
  async createEngine(spec, env): Promise<Engine> {
    const { createHttpEngine } = await import('../http-engine.js');
    return createHttpEngine(spec, env);
  },
});

declare module '../kind-registry.js' {
  interface LoadKindRegistry { http: typeof http }
}
