import type { Socket } from 'node:net';
import autocannon from 'autocannon';
import { deferred, requirePort, type Engine, type EngineEnv } from './engine.js';
import { REFUSED_BACKOFF_MS, type HttpLoad } from './http-spec.js';
import type { Op } from './op-sink.js';
import { errorText, outcomeOfError, outcomeOfStatus } from './outcome.js';

// How often the autocannon engine looks for requests past totalTimeoutMs (its precision).
const TOTAL_CHECK_MS = 50;

// The parts of autocannon's Client (lib/httpClient.js, autocannon 9) this engine relies on. The
// public events give status and bytes per response but no request identity, no error for a
// request lost to a server FIN (autocannon silently reconnects and sends another one), and the
// error class only per connection, so the engine tags each request with its socket. autocannon
// also writes its next request on a socket whose response said `Connection: close` (losing it);
// the engine makes such a client reconnect first, as every real HTTP client does.
interface AcClient {
  on(event: 'done' | 'timeout', listener: () => void): void;
  // Emits 'request' before writing a request, 'response' (status, bytes, duration) and 'headers'
  // ({ shouldKeepAlive }) per response, and the rest.
  emit(event: string | symbol, ...args: unknown[]): boolean;
  // Its 'data' listener hands every chunk of its socket to this parser (one per client).
  parser: { execute(chunk: Buffer): unknown };
  conn: Socket;
  destroyed: boolean;
  timeout: number;
  timeoutTicker: { reschedule(ms: number): void };
  reqsMade: number;
  responseMax: number | undefined;
  _connect(): void;
  _doRequest(...args: unknown[]): void;
  _resetConnection(): void;
  destroy(): void;
}

// The autocannon engine: autocannon drives the load (keep-alive connections, pipelining, rate),
// and a hook on each of its clients records every request: start when written, end at its
// response (ok / http-error / rejected by status) or at its socket's fate (refused, reset for RST,
// EPIPE or a FIN before the response, timeout).
export function createAutocannonEngine(spec: HttpLoad, env: EngineEnv): Engine {
  const { sink } = env;
  const port = requirePort(env.port, env.name);
  const requests = spec.requests ?? [{ method: spec.method, path: spec.path }];
  const labels = requests.map((r) => `${r.method ?? 'GET'} ${r.path ?? '/'}`);
  const connections = spec.amount !== undefined ? Math.min(spec.connections, spec.amount) : spec.connections;
  const clients: AcClient[] = [];
  const finished = deferred();
  let doneClients = 0;
  let seq = 0;
  let windingDown = false;
  let stopped = false;
  let durationTimer: NodeJS.Timeout | undefined;
  // Each client's requests in flight, oldest first: the sink's records (tag: the socket written on).
  const pendingOf = new Map<AcClient, Op[]>();
  // totalTimeoutMs: each client's oldest request is looked at every TOTAL_CHECK_MS.
  const totalChecks: Array<() => void> = [];
  let totalTimer: NodeJS.Timeout | undefined;

  const checkFinished = (): void => {
    if (doneClients >= connections) {
      clearTimeout(durationTimer);
      clearInterval(totalTimer);
      finished.resolve();
    }
  };

  const setupClient = (raw: unknown): void => {
    const client = raw as AcClient;
    const conn = `c${clients.length}`;
    // A request's id is `c<client>.<seq>`, made only when it is recorded one by one.
    const idBase = `${conn}.`;
    clients.push(client);
    const pending: Op[] = [];
    pendingOf.set(client, pending);
    let made = 0;
    let backoffUntil = 0;
    let sockSeq = 0;
    // Each socket of this client is its own connection on the timeline: `c0.s1`, `c0.s2`, ...
    const connOf = new WeakMap<Socket, { id: string; openT?: number }>();
    // autocannon writes its first request inside _connect(), before the hook below sees the socket.
    const connFor = (sock: Socket): { id: string; openT?: number } => {
      if (sock === lastSock) return lastConn!;
      let c = connOf.get(sock);
      if (!c) connOf.set(sock, (c = { id: `${conn}.s${++sockSeq}` }));
      lastSock = sock;
      lastConn = c;
      return c;
    };
    let lastSock: Socket | undefined;
    let lastConn: { id: string; openT?: number } | undefined;
    // When the last chunk of this client's socket arrived: the time of the response it completes
    // (the response event comes from the parser inside that chunk's 'data' event), and the
    // first byte of the oldest waiting request. One clock read per chunk.
    let chunkT = 0;

    const failSocket = (sock: Socket, outcome: ReturnType<typeof outcomeOfError>, error: string): void => {
      for (let i = 0; i < pending.length; ) {
        const p = pending[i]!;
        if (p.tag === sock) {
          pending.splice(i, 1);
          sink.finishOp(p, outcome, sink.now(), null, null, error);
        } else {
          i++;
        }
      }
    };

    const onRequest = (): void => {
      const sock = client.conn;
      const c = connFor(sock);
      const t = sink.now();
      const connecting = sock.connecting;
      // autocannon writes the request right after this event (buffered until the connection is up).
      const rec = sink.begin(idBase, ++seq, c.id, labels[made++ % labels.length]!, t, connecting, sock);
      if (!connecting) rec.sentT = t;
      pending.push(rec);
    };
    const onResponse = (status: number, bytes: number): void => {
      const p = pending.shift();
      if (p) sink.finishOp(p, outcomeOfStatus(status), chunkT, status, bytes, null);
    };
    // The socket whose last response said `Connection: close` (only the client's current socket
    // matters: a request is written on it).
    let closing: Socket | undefined;
    const onHeaders = (info: { shouldKeepAlive?: boolean }): void => {
      if (info.shouldKeepAlive === false) closing = client.conn;
    };
    // The three events of every request, seen in the client's emit rather than by listeners of
    // their own: autocannon's run listens to 'request' and 'response' itself, and an event with
    // two listeners makes EventEmitter copy its listener array at every emit.
    const emit = client.emit;
    client.emit = function (this: AcClient, event: string | symbol, a?: unknown, b?: unknown): boolean {
      if (event === 'response') onResponse(a as number, b as number);
      else if (event === 'request') onRequest();
      else if (event === 'headers') onHeaders(a as { shouldKeepAlive?: boolean });
      return emit.apply(this, arguments as unknown as [string, ...unknown[]]);
    };
    // Each chunk, ahead of autocannon's parser (a wrap of it rather than a second 'data' listener
    // on every socket, for the same reason): the bytes belong to the oldest request still waiting
    // on the client's socket, the one they came from (autocannon replaces a socket only once it is
    // destroyed or ended).
    const execute = client.parser.execute;
    client.parser.execute = function (this: unknown) {
      const sock = client.conn;
      chunkT = sink.now();
      // An idle timeout: every byte re-arms autocannon's timer (it arms it only per request).
      client.timeoutTicker.reschedule(client.timeout);
      for (const p of pending) {
        if (p.tag !== sock) continue;
        p.firstByteT ??= chunkT;
        break;
      }
      return execute.apply(this, arguments as unknown as [Buffer]);
    };
    client.on('timeout', () => {
      // autocannon has destroyed the socket and opened another one: requests on the dead socket
      // timed out (no byte for timeoutMs: the socket's data re-arms autocannon's timer).
      for (const p of pending.filter((x) => (x.tag as Socket).destroyed)) failSocket(p.tag as Socket, 'timeout', `the driver gave up: no byte for ${spec.timeoutMs} ms (timeoutMs)`);
    });
    totalChecks.push(() => {
      const head = pending[0];
      if (head === undefined || spec.totalTimeoutMs === undefined || client.destroyed) return;
      if (sink.now() - head.startT < spec.totalTimeoutMs) return;
      failSocket(head.tag as Socket, 'timeout', `the driver gave up: no complete answer within ${spec.totalTimeoutMs} ms (totalTimeoutMs)`);
      client._resetConnection();
    });
    client.on('done', () => {
      doneClients++;
      checkFinished();
    });
    const doRequest = client._doRequest;
    // `arguments` handed on as they are: no rest array per request.
    client._doRequest = function (this: AcClient) {
      const sock = this.conn;
      const limitReached = this.responseMax !== undefined && this.responseMax > 0 && this.reqsMade >= this.responseMax;
      if (closing === sock && !this.destroyed && !limitReached) {
        failSocket(sock, 'reset', 'the server closed the connection (Connection: close) with pipelined requests unanswered');
        this._resetConnection();
        return;
      }
      doRequest.apply(this, arguments as unknown as unknown[]);
    };

    const connect = client._connect;
    client._connect = function (this: AcClient) {
      if (stopped || windingDown) {
        // No new connection after the target's exit or the load's end.
        if (!this.destroyed) setImmediate(() => this.destroy());
        return;
      }
      const wait = backoffUntil - performance.now();
      if (wait > 0) {
        setTimeout(() => this._connect(), wait);
        return;
      }
      connect.call(this);
      const sock = this.conn;
      const c = connFor(sock);
      let how: 'fin' | 'reset' | 'error' | 'local' = 'local';
      let closeError: string | undefined;
      // Stamped ahead of the pending request write (another 'connect' listener): never after the server saw it.
      sock.prependOnceListener('connect', () => {
        c.openT = sink.now();
        for (const p of pending) if (p.tag === sock && p.sentT === null) p.sentT = c.openT;
        sink.emit({ type: 'conn:open', t: c.openT, conn: c.id, ...(sock.localPort !== undefined ? { localPort: sock.localPort } : {}) });
      });
      sock.once('close', () => {
        if (c.openT !== undefined && !stopped) sink.emit({ type: 'conn:close', t: sink.now(), conn: c.id, how, ...(closeError !== undefined ? { error: closeError } : {}) });
      });
      sock.on('error', (error: NodeJS.ErrnoException) => {
        const outcome = outcomeOfError(error);
        how = error.code === 'ECONNRESET' ? 'reset' : 'error';
        closeError = errorText(error);
        if (outcome === 'refused') backoffUntil = performance.now() + REFUSED_BACKOFF_MS;
        failSocket(sock, outcome, errorText(error));
      });
      sock.on('end', () => {
        if (how === 'local') how = 'fin';
        failSocket(sock, 'reset', 'socket hang up: the server closed the connection (FIN) before responding');
      });
    };
  };

  const windDownClients = (): void => {
    windingDown = true;
    clearTimeout(durationTimer);
    for (const c of clients) {
      if (c.destroyed) continue;
      // A client with a request in flight stops after its response (or its failure); the others
      // stop now.
      if ((pendingOf.get(c)?.length ?? 0) === 0) c.destroy();
      else c.responseMax = c.reqsMade;
    }
  };

  return {
    async start() {
      const instance = autocannon(
        {
          url: `http://${env.host}:${port}`,
          connections,
          pipelining: spec.pipelining,
          ...(spec.amount !== undefined ? { amount: spec.amount } : { duration: Math.ceil(spec.durationMs / 1000) + 3_600 }),
          ...(spec.rate !== undefined ? { overallRate: spec.rate } : {}),
          timeout: Math.max(spec.timeoutMs / 1000, 0.001),
          requests: requests.map((r) => ({ method: (r.method ?? 'GET') as 'GET', path: r.path ?? '/', ...(r.body !== undefined ? { body: r.body } : {}), ...(r.headers ? { headers: r.headers } : {}) })),
          setupClient: setupClient as never,
        },
        () => {},
      );
      void instance;
      durationTimer = setTimeout(windDownClients, spec.durationMs);
      if (spec.totalTimeoutMs !== undefined) {
        totalTimer = setInterval(() => {
          for (const check of totalChecks) check();
        }, Math.min(TOTAL_CHECK_MS, Math.max(1, spec.totalTimeoutMs / 4)));
        totalTimer.unref();
      }
      return { engine: 'autocannon', connections, pipelining: spec.pipelining };
    },
    finished: finished.promise,
    windDown: windDownClients,
    async stop() {
      stopped = true;
      clearTimeout(durationTimer);
      clearInterval(totalTimer);
      for (const c of clients) if (!c.destroyed) c.destroy();
      finished.resolve();
    },
    stats: () => ({ engine: 'autocannon', connections }),
  };
}
