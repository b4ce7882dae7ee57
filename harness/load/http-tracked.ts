import http from 'node:http';
import type { Socket } from 'node:net';
import { deferred, requirePort, type Engine, type EngineEnv } from './engine.js';
import { REFUSED_BACKOFF_MS, type HttpLoad } from './http-spec.js';
import { errorText, outcomeOfError, outcomeOfStatus } from './outcome.js';

// The tracked engine: node's http client with an Agent of `connections` sockets (keep-alive on or
// off), one request per socket at a time, as a real Node client behaves. Every request is one
// operation with its exact start, end, status, bytes and error class. Slower than autocannon (see
// harness/load/README.md), exact in every case, including `keepAlive: false`.
export function createTrackedEngine(spec: HttpLoad, env: EngineEnv): Engine {
  const { sink } = env;
  const port = requirePort(env.port, env.name);
  const requests = (spec.requests ?? [{ method: spec.method, path: spec.path }]).map((r) => ({
    method: r.method ?? 'GET', path: r.path ?? '/', body: r.body, headers: r.headers ?? {},
    label: `${r.method ?? 'GET'} ${r.path ?? '/'}`,
  }));
  const lanes = spec.amount !== undefined ? Math.min(spec.connections, spec.amount) : spec.connections;
  const agent = new http.Agent({ keepAlive: spec.keepAlive, maxSockets: lanes, maxFreeSockets: lanes, scheduling: 'fifo' });
  const sockets = new WeakMap<Socket, string>();
  let socketSeq = 0;
  const inFlight = new Set<http.ClientRequest>();
  const finished = deferred();
  let issued = 0;
  let seq = 0;
  let next = 0;
  let windingDown = false;
  let stopped = false;
  let nextSlot = 0;
  const wakers = new Set<() => void>();
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        wakers.delete(wake);
        resolve();
      }, ms);
      const wake = (): void => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      wakers.add(wake);
    });

  // A socket's connection events: conn:open at its TCP handshake (with the client's local port,
  // matched against the kernel's accept view at the signal), conn:close with how it ended.
  const track = (s: Socket): string => {
    let conn = sockets.get(s);
    if (conn !== undefined) return conn;
    conn = `s${++socketSeq}`;
    sockets.set(s, conn);
    const id = conn;
    let how: 'fin' | 'reset' | 'error' | 'local' = 'local';
    let error: string | undefined;
    let opened = false;
    const open = (): void => {
      opened = true;
      sink.emit({ type: 'conn:open', t: sink.now(), conn: id, ...(s.localPort !== undefined ? { localPort: s.localPort } : {}) });
    };
    if (s.connecting) s.prependOnceListener('connect', open);
    else open();
    s.once('end', () => {
      if (how === 'local') how = 'fin';
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      how = e.code === 'ECONNRESET' ? 'reset' : 'error';
      error = errorText(e);
    });
    s.once('close', () => {
      if (opened && !stopped) sink.emit({ type: 'conn:close', t: sink.now(), conn: id, how, ...(error !== undefined ? { error } : {}) });
    });
    return conn;
  };

  const one = (): Promise<string> => {
    const r = requests[next++ % requests.length]!;
    const id = `r${++seq}`;
    issued++;
    const startT = sink.now();
    return new Promise((resolve) => {
      let ended = false;
      let started = false;
      let sentT: number | undefined;
      let firstByteT: number | undefined;
      let totalTimer: NodeJS.Timeout | undefined;
      const begin = (conn?: string, connecting = false): void => {
        if (started) return;
        started = true;
        sink.start(id, conn, r.label, startT, connecting);
      };
      const finish = (outcome: Parameters<typeof sink.end>[1], info: { status?: number; bytes?: number; error?: string }): void => {
        if (ended) return;
        ended = true;
        clearTimeout(totalTimer);
        inFlight.delete(req);
        begin();
        // Requests cut by stop() stay unfinished: the harness, not the target, ended them.
        if (!stopped) sink.end(id, outcome, { ...info, ...(sentT !== undefined ? { sentT } : {}), ...(firstByteT !== undefined ? { firstByteT } : {}) });
        resolve(outcome);
      };
      const headers: Record<string, string> = { ...r.headers };
      if (r.body !== undefined) headers['content-length'] = String(Buffer.byteLength(r.body));
      const req = http.request({ host: env.host, port, method: r.method, path: r.path, headers, agent });
      inFlight.add(req);
      req.on('socket', (s: Socket) => {
        const connecting = s.connecting;
        begin(track(s), connecting);
      });
      req.on('finish', () => {
        sentT = sink.now();
      });
      // The client's timeout is an idle one: no byte sent or received for timeoutMs (a slow
      // download still streaming is never cut); totalTimeoutMs, when set, bounds the whole request.
      req.setTimeout(spec.timeoutMs, () => {
        finish('timeout', { error: `the driver gave up: no byte for ${spec.timeoutMs} ms (timeoutMs)` });
        req.destroy();
      });
      if (spec.totalTimeoutMs !== undefined) {
        totalTimer = setTimeout(() => {
          finish('timeout', { error: `the driver gave up: no complete answer within ${spec.totalTimeoutMs} ms (totalTimeoutMs)` });
          req.destroy();
        }, spec.totalTimeoutMs);
      }
      req.on('response', (res) => {
        firstByteT = sink.now();
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () => finish(outcomeOfStatus(res.statusCode ?? 0), { status: res.statusCode ?? 0, bytes }));
        res.on('aborted', () => finish('reset', { status: res.statusCode ?? 0, bytes, error: 'the response was cut off (aborted)' }));
        res.on('error', (error) => finish(outcomeOfError(error), { status: res.statusCode ?? 0, bytes, error: errorText(error) }));
      });
      req.on('error', (error) => finish(outcomeOfError(error), { error: errorText(error) }));
      req.end(r.body);
    });
  };

  const slot = async (): Promise<void> => {
    if (spec.rate === undefined) return;
    const now = performance.now();
    const at = Math.max(now, nextSlot);
    nextSlot = at + 1000 / spec.rate;
    if (at > now) await sleep(at - now);
  };

  const lane = async (): Promise<void> => {
    while (!stopped && !windingDown) {
      if (spec.amount !== undefined && issued >= spec.amount) return;
      await slot();
      if (stopped || windingDown) return;
      const outcome = await one();
      if (outcome === 'refused') await sleep(REFUSED_BACKOFF_MS);
    }
  };

  let durationTimer: NodeJS.Timeout | undefined;
  const windDown = (): void => {
    windingDown = true;
    clearTimeout(durationTimer);
    for (const wake of [...wakers]) wake();
  };

  return {
    async start() {
      durationTimer = setTimeout(windDown, spec.durationMs);
      const all = Array.from({ length: lanes }, () => lane());
      void Promise.all(all).then(() => {
        clearTimeout(durationTimer);
        agent.destroy();
        finished.resolve();
      });
      return { engine: 'tracked', connections: lanes, keepAlive: spec.keepAlive };
    },
    finished: finished.promise,
    windDown,
    async stop() {
      stopped = true;
      windDown();
      for (const req of inFlight) req.destroy();
      agent.destroy();
      finished.resolve();
    },
    stats: () => ({ engine: 'tracked', connections: lanes, keepAlive: spec.keepAlive, sockets: socketSeq }),
  };
}
