import WebSocket from 'ws';
import type { LoadKindSpec } from './kind-registry.js';
import { deferred, requirePort, type Engine, type EngineEnv } from './engine.js';
import { ackMatcher } from '../scenario/regex.js';
import { errorText } from './outcome.js';

export type WsLoad = LoadKindSpec<'ws'>;

// Handshakes in progress at once: thousands of simultaneous SYNs overflow a listen backlog.
const CONNECT_CONCURRENCY = 200;


// Fills `{seq}` and `{client}` in a message template.
export function fillMessage(template: string, seq: number, client: string): string {
  return template.split('{seq}').join(String(seq)).split('{client}').join(client);
}

interface Client {
  id: string;
  ws: WebSocket | undefined;
  seq: number;
  pending: Set<number>;
  // The seqs a received message acks (scenario/regex.ts: RE2, linear in the message).
  ack: (text: string) => number[];
  opened: boolean;
  closed: boolean;
  byClient: boolean;
  timer: NodeJS.Timeout | undefined;
}

// The ws engine: `clients` WebSocket clients (the `ws` package) on ws://host:port/path. Each sends
// `messagesPerSecond` messages; a message is an operation from send to its ack (a received message
// matching `ackPattern` with its seq): ok when acked, `closed` when the socket closed first. Every
// other received message is a ws:message; every close a ws:close with the code and reason received
// (1006 when the TCP connection died without a close frame).
export function createWsEngine(spec: WsLoad, env: EngineEnv): Engine {
  const { sink } = env;
  const port = requirePort(env.port, env.name);
  const url = `ws://${env.host}:${port}${spec.path.startsWith('/') ? '' : '/'}${spec.path}`;
  const clients: Client[] = [];
  const finished = deferred();
  let settled = 0;
  let connected = 0;
  let closed = 0;
  let stopped = false;
  let finishing = false;
  let durationTimer: NodeJS.Timeout | undefined;
  let firstError: string | undefined;
  const allSettled = deferred();

  let allClosed = deferred();
  const maybeFinished = (): void => {
    if (closed >= connected) allClosed.resolve();
    if (settled >= spec.clients && closed >= connected) finished.resolve();
  };

  const send = (c: Client): void => {
    const ws = c.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || stopped) return;
    const seq = ++c.seq;
    const id = `${c.id}.${seq}`;
    c.pending.add(seq);
    sink.start(id, c.id, 'message');
    ws.send(fillMessage(spec.message, seq, c.id), (error) => {
      if (error && c.pending.delete(seq)) sink.end(id, 'closed', { error: `send failed: ${errorText(error)}` });
    });
  };

  const connect = (c: Client): Promise<void> =>
    new Promise((resolve) => {
      let done = false;
      const settle = (): void => {
        if (done) return;
        done = true;
        settled++;
        resolve();
      };
      const ws = new WebSocket(url, { handshakeTimeout: spec.connectTimeoutMs, perMessageDeflate: false });
      c.ws = ws;
      ws.on('open', () => {
        c.opened = true;
        connected++;
        sink.emit({ type: 'ws:open', t: sink.now(), client: c.id });
        settle();
        if (spec.messagesPerSecond > 0) {
          const period = 1000 / spec.messagesPerSecond;
          // Spread the clients over the period so their sends do not come in bursts.
          const first = setTimeout(() => {
            send(c);
            c.timer = setInterval(() => send(c), period);
          }, Math.random() * period);
          c.timer = first;
        }
      });
      ws.on('message', (data: WebSocket.RawData) => {
        const text = data.toString();
        const t = sink.now();
        let acked = false;
        for (const seq of c.ack(text)) {
          if (c.pending.delete(seq)) {
            acked = true;
            sink.end(`${c.id}.${seq}`, 'ok', { bytes: Buffer.byteLength(text) }, t);
          }
        }
        if (!acked) sink.message(c.id, text, t);
        else if (finishing && c.pending.size === 0 && ws.readyState === WebSocket.OPEN) {
          c.byClient = true;
          ws.close(1000, 'load finished');
        }
      });
      ws.on('unexpected-response', (_req, res) => {
        const message = `client ${c.id}: the upgrade was answered with HTTP ${res.statusCode}`;
        firstError ??= message;
        sink.emit({ type: 'load:error', t: sink.now(), message });
        res.resume();
        ws.terminate();
      });
      ws.on('error', (error) => {
        if (!c.opened) {
          const message = `client ${c.id}: could not connect to ${url}: ${errorText(error)}`;
          firstError ??= message;
          sink.emit({ type: 'load:error', t: sink.now(), message });
        }
      });
      ws.on('close', (code: number, reason: Buffer) => {
        if (c.timer) clearTimeout(c.timer);
        c.timer = undefined;
        const t = sink.now();
        // Messages cut by stop() stay unfinished: the harness, not the target, ended them.
        if (!stopped) for (const seq of c.pending) sink.end(`${c.id}.${seq}`, 'closed', { error: `the socket closed (${code}) before the ack` }, t);
        c.pending.clear();
        if (c.opened && !c.closed) {
          c.closed = true;
          closed++;
          sink.clientClosed(c.id);
          sink.emit({ type: 'ws:close', t, client: c.id, code, reason: reason.toString().slice(0, 200), byClient: c.byClient });
        }
        settle();
        maybeFinished();
      });
    });

  const stopSending = (): void => {
    for (const c of clients) {
      if (c.timer) clearTimeout(c.timer);
      c.timer = undefined;
    }
  };

  // The load's duration is over: no more messages; each client closes (1000) once its messages
  // are acked, or after connectTimeoutMs at the latest.
  const finish = (): void => {
    finishing = true;
    stopSending();
    for (const c of clients) {
      if (!c.ws || c.closed || c.ws.readyState !== WebSocket.OPEN) continue;
      c.byClient = true;
      if (c.pending.size === 0) c.ws.close(1000, 'load finished');
    }
    setTimeout(() => {
      for (const c of clients) if (c.ws && !c.closed) c.ws.terminate();
    }, spec.connectTimeoutMs).unref();
  };

  return {
    async start() {
      for (let i = 0; i < spec.clients; i++) {
        const id = `c${i}`;
        clients.push({ id, ws: undefined, seq: 0, pending: new Set(), ack: ackMatcher(spec.ackPattern, id), opened: false, closed: false, byClient: false, timer: undefined });
      }
      let nextIndex = 0;
      const worker = async (): Promise<void> => {
        while (nextIndex < clients.length && !stopped) await connect(clients[nextIndex++]!);
      };
      void Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, clients.length) }, worker)).then(() => allSettled.resolve());
      await allSettled.promise;
      if (connected === 0) {
        throw new Error(`none of the ${spec.clients} WebSocket clients could connect to ${url}${firstError ? `; first error: ${firstError}` : ''}`);
      }
      durationTimer = setTimeout(finish, spec.durationMs);
      maybeFinished();
      return { url, clients: spec.clients, connected };
    },
    finished: finished.promise,
    windDown() {
      // The sockets die with the target; nothing new to send.
      stopSending();
    },
    async stop() {
      stopped = true;
      clearTimeout(durationTimer);
      stopSending();
      allClosed = deferred();
      for (const c of clients) {
        if (!c.ws || c.closed) continue;
        c.byClient = true;
        c.ws.terminate();
      }
      maybeFinished();
      // Record the closes the termination causes (the close event follows the socket's end).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([allClosed.promise, new Promise((r) => (timer = setTimeout(r, 1_000)))]);
      clearTimeout(timer);
      finished.resolve();
    },
    stats: () => ({ url, clients: spec.clients, connected, closed }),
  };
}
