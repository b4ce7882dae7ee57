import net from 'node:net';
import type { OpOutcome } from '../history/events.js';
import { compileUserRegex, type UserRegex } from '../scenario/regex.js';
import type { LoadKindSpec } from './kind-registry.js';
import { deferred, requirePort, type Engine, type EngineEnv } from './engine.js';
import { errorText, outcomeOfError } from './outcome.js';

export type TcpLoad = LoadKindSpec<'tcp'>;

type Reply = { line: string } | { closed: 'fin' | 'reset' | 'error'; error?: string } | { timeout: true };

// One line-protocol connection: lines in, lines out, and how it ended.
class LineConn {
  readonly socket: net.Socket;
  how: 'fin' | 'reset' | 'error' | 'local' | undefined;
  error: string | undefined;
  private buffer = '';
  private readonly lines: string[] = [];
  private waiter: ((r: Reply) => void) | undefined;
  readonly ended = deferred();

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let i: number;
      while ((i = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, i).replace(/\r$/, '');
        this.buffer = this.buffer.slice(i + 1);
        this.lines.push(line);
      }
      this.wake();
    });
    socket.on('end', () => this.close('fin'));
    socket.on('error', (error: NodeJS.ErrnoException) => this.close(error.code === 'ECONNRESET' || error.code === 'EPIPE' ? 'reset' : 'error', errorText(error)));
    socket.on('close', () => this.close('error', 'closed'));
  }

  // The closing of the connection as the client saw it first (a FIN, a RST, another error, or
  // the client's own close).
  close(how: 'fin' | 'reset' | 'error' | 'local', error?: string): void {
    if (this.how) return;
    this.how = how;
    this.error = error;
    this.wake();
    this.ended.resolve();
  }

  // The next reply: one line, or a multi-line SMTP reply (`250-...` lines, then `250 ...`) joined.
  async reply(timeoutMs: number): Promise<Reply> {
    const parts: string[] = [];
    for (;;) {
      const r = await this.nextLine(timeoutMs);
      if (!('line' in r)) return r;
      parts.push(r.line);
      if (!/^\d{3}-/.test(r.line)) return { line: parts.join('\n') };
    }
  }

  private nextLine(timeoutMs: number): Promise<Reply> {
    if (this.lines.length) return Promise.resolve({ line: this.lines.shift()! });
    if (this.how) return Promise.resolve(this.how === 'local' ? { closed: 'error', error: 'closed by the client' } : { closed: this.how, ...(this.error ? { error: this.error } : {}) });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve({ timeout: true });
      }, timeoutMs);
      this.waiter = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    if (this.lines.length) {
      this.waiter = undefined;
      w({ line: this.lines.shift()! });
    } else if (this.how) {
      this.waiter = undefined;
      w(this.how === 'local' ? { closed: 'error', error: 'closed by the client' } : { closed: this.how, ...(this.error ? { error: this.error } : {}) });
    }
  }
}

// The tcp engine: `clients` line-protocol clients (SMTP-like). Each connects (an operation `connect`
// that ends at the greeting, or at the TCP handshake when no greeting is awaited), then runs the
// script: send a line, await the reply (an operation per command: ok when the reply matches
// `expect`, `rejected` when the server answers something else, such as `421 shutting down`;
// `closed` on a FIN, `reset` on a RST, `timeout`). With `loop`, the script repeats every
// `intervalMs`, on the same connection while it lives, else on a new one. Every connection's end
// is a conn:close with how = fin | reset | error | local.
export function createTcpEngine(spec: TcpLoad, env: EngineEnv): Engine {
  const { sink } = env;
  const port = requirePort(env.port, env.name);
  const greeting = spec.greeting ? compileUserRegex(spec.greeting, `load ${env.name}: tcp.greeting`) : undefined;
  const script = spec.script.map((s) => ({ send: s.send, expect: s.expect ? compileUserRegex(s.expect, `load ${env.name}: tcp.script expect`) : undefined, label: s.send.split(/\s/)[0]!.slice(0, 40) || 'line' }));
  const finished = deferred();
  const live = new Set<LineConn>();
  const wakers = new Set<() => void>();
  let stopped = false;
  let finishing = false;
  let connSeq = 0;
  let durationTimer: NodeJS.Timeout | undefined;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });
  const going = (): boolean => !stopped && !finishing;

  const endOp = (id: string, r: Reply, expect: UserRegex | undefined): OpOutcome => {
    if ('line' in r) {
      // A multi-line reply matches on its final line (the SMTP status) or on the whole text.
      const ok = !expect || expect.test(r.line.slice(r.line.lastIndexOf('\n') + 1)) || expect.test(r.line);
      sink.end(id, ok ? 'ok' : 'rejected', ok ? { bytes: Buffer.byteLength(r.line) } : { error: `reply: ${r.line.slice(0, 200)}` });
      return ok ? 'ok' : 'rejected';
    }
    if ('timeout' in r) {
      sink.end(id, 'timeout', { error: `no reply within ${spec.timeoutMs} ms` });
      return 'timeout';
    }
    const outcome: OpOutcome = r.closed === 'fin' ? 'closed' : 'reset';
    // Operations cut by stop() stay unfinished.
    if (!stopped) sink.end(id, outcome, { error: r.closed === 'fin' ? 'the server closed the connection (FIN) before replying' : r.error ?? r.closed });
    return outcome;
  };

  // One connection: connect, greeting, the script (repeated while `loop`); resolves when it ends.
  const session = async (): Promise<OpOutcome> => {
    const conn = `c${++connSeq}`;
    let n = 0;
    const connectId = `${conn}.${n++}`;
    sink.start(connectId, conn, 'connect');
    const socket = net.connect({ host: env.host, port });
    const lc = new LineConn(socket);
    live.add(lc);
    const opened = await new Promise<true | Error>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('error', (e) => resolve(e));
      socket.once('close', () => resolve(new Error('the connection closed before it was established')));
      socket.setTimeout(spec.timeoutMs, () => resolve(Object.assign(new Error(`no connection within ${spec.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    });
    socket.setTimeout(0);
    if (opened !== true) {
      socket.destroy();
      live.delete(lc);
      if (!stopped) sink.end(connectId, outcomeOfError(opened), { error: errorText(opened) });
      return outcomeOfError(opened);
    }
    sink.emit({ type: 'conn:open', t: sink.now(), conn });
    let last: OpOutcome = 'ok';
    try {
      if (greeting) {
        last = endOp(connectId, await lc.reply(spec.timeoutMs), greeting);
      } else {
        sink.end(connectId, 'ok');
      }
      if (last === 'ok' && script.length === 0) {
        // No script: hold the connection until the server closes it or the load ends.
        await new Promise<void>((resolve) => {
          const wake = (): void => {
            wakers.delete(wake);
            resolve();
          };
          wakers.add(wake);
          void lc.ended.promise.then(wake);
        });
      }
      while (last === 'ok' && !stopped && script.length > 0) {
        for (const step of script) {
          if (stopped || lc.how) break;
          const id = `${conn}.${n++}`;
          sink.start(id, conn, step.label);
          socket.write(`${step.send}\r\n`);
          last = endOp(id, await lc.reply(spec.timeoutMs), step.expect);
          if (last !== 'ok') break;
        }
        if (!spec.loop || !going() || lc.how || last !== 'ok' || script.length === 0) break;
        await sleep(spec.intervalMs);
        if (!going() || lc.how) break;
      }
      if (last === 'rejected' && !lc.how && !stopped) {
        // A refusal such as `421 closing` usually comes with the server's close: wait for it (up
        // to timeoutMs) so the close is recorded as the server's.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(wake, spec.timeoutMs);
          function wake(): void {
            clearTimeout(timer);
            wakers.delete(wake);
            resolve();
          }
          wakers.add(wake);
          void lc.ended.promise.then(wake);
        });
      }
    } finally {
      if (!lc.how) {
        // The client ends the connection: after the script without `loop`, on a timeout, or at stop.
        lc.close('local', last === 'timeout' ? 'timeout' : undefined);
        if (last === 'timeout' || stopped) socket.destroy();
        else socket.end();
      }
      live.delete(lc);
      sink.emit({ type: 'conn:close', t: sink.now(), conn, how: lc.how!, ...(lc.error ? { error: lc.error } : {}) });
    }
    return last;
  };

  const sessions = new Set<Promise<OpOutcome>>();
  const client = async (): Promise<void> => {
    while (going()) {
      const s = session();
      sessions.add(s);
      await s;
      sessions.delete(s);
      if (!spec.loop) return;
      if (going()) await sleep(spec.intervalMs);
    }
  };

  const finish = (): void => {
    finishing = true;
    clearTimeout(durationTimer);
    for (const wake of [...wakers]) wake();
  };

  return {
    async start() {
      durationTimer = setTimeout(finish, spec.durationMs);
      void Promise.all(Array.from({ length: spec.clients }, () => client())).then(() => {
        clearTimeout(durationTimer);
        finished.resolve();
      });
      return { host: env.host, port, clients: spec.clients };
    },
    finished: finished.promise,
    windDown: finish,
    async stop() {
      stopped = true;
      finish();
      for (const lc of live) {
        lc.close('local', 'stopped by the harness');
        lc.socket.destroy();
      }
      // Let each session record its conn:close.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...sessions]), new Promise((r) => (timer = setTimeout(r, 1_000)))]);
      clearTimeout(timer);
      finished.resolve();
    },
    stats: () => ({ clients: spec.clients, connections: connSeq }),
  };
}
