import net from 'node:net';
import type { HistoryEvent, OpOutcome } from '../history/events.js';
import { PROBE_DRIVER } from '../history/ops.js';
import type { History } from '../history/writer.js';
import type { RunSpec } from '../scenario/schema.js';
import { errorText, outcomeOfError, outcomeOfStatus } from './outcome.js';

// The harness's own evidence for `new-work-rejected`: once the first signal's send is recorded,
// a fresh connection every `everyMs` (at most `maxInFlight` at once: a slow endpoint must not stop
// the probing) to the target's port until the target exits, then, once every probe in flight has
// ended, `afterExit` more one after the other. Each is an operation of driver PROBE_DRIVER:
// `request:start` (op `new-work alive` or `new-work after-exit`) and `request:end` with
//   refused       the connect was refused (the listener is closed, or the target is gone)
//   rejected      HTTP 503 (the target turns new work away), or a TCP reply line 4xx/5xx (SMTP 421)
//   ok            the new request was served (an HTTP status < 400, a TCP greeting, an accepted
//                 connection when the protocol has no greeting)
//   http-error    another HTTP status >= 400
//   reset/closed  the connection was cut (RST / FIN) before an answer
//   timeout       no answer within `timeoutMs`
// The other load checks never see these operations (loadView leaves PROBE_DRIVER out unless asked).

export interface RejectionProbe {
  // Resolves when probing is over: after the target's exit and the after-exit probes, or after
  // stop(); at once when no signal has been seen (nothing to probe for). Never rejects.
  finished(): Promise<void>;
  // Stops at once (the run's teardown); operations in flight end as `closed`.
  stop(): void;
}

export interface RejectionProbeOptions {
  history: History;
  host: string;
  port: number;
  spec: RunSpec;
  // Resolves when the target (the leader) has exited.
  exited: Promise<unknown>;
  everyMs?: number;
  // An answer may take this long (default: the first http or tcp load's timeoutMs, else 5 s).
  timeoutMs?: number;
  maxInFlight?: number;
  // Probes at `everyMs` first (then one every `slowEveryMs`).
  fastProbes?: number;
  slowEveryMs?: number;
  // Probes while the target is alive, in all (then it waits for the exit).
  maxProbes?: number;
  afterExit?: number;
}

type Mode = { kind: 'http'; path: string } | { kind: 'tcp'; greeting: boolean };

// How to ask for new work: HTTP when the target speaks HTTP (an http/ws/browser/probe load, or an
// HTTP readiness probe), a raw TCP connect otherwise.
export function probeMode(spec: RunSpec): Mode {
  for (const l of spec.load) {
    if ('http' in l) return { kind: 'http', path: l.http.requests?.[0]?.path ?? l.http.path };
  }
  if (spec.load.some((l) => 'ws' in l || 'browser' in l || 'probe' in l)) {
    const ready = spec.target.ready?.http;
    return { kind: 'http', path: ready === undefined ? '/' : typeof ready === 'string' ? ready : ready.path };
  }
  const tcp = spec.load.find((l): l is Extract<RunSpec['load'][number], { tcp: unknown }> => 'tcp' in l);
  if (tcp) return { kind: 'tcp', greeting: tcp.tcp.greeting !== undefined };
  const ready = spec.target.ready?.http;
  if (ready !== undefined) return { kind: 'http', path: typeof ready === 'string' ? ready : ready.path };
  return { kind: 'tcp', greeting: false };
}

// Starts watching the history for the first signal (when `expect.newWorkRejected` asks for
// evidence); undefined when the check is off. Never delays the strike: probing begins only once
// the signal:sent event is recorded, on this thread, one connection at a time.
export function startRejectionProbe(options: RejectionProbeOptions): RejectionProbe | undefined {
  const cfg = options.spec.expect.newWorkRejected;
  if (cfg === undefined || cfg === false) return undefined;
  const { history, host, port } = options;
  const everyMs = options.everyMs ?? 25;
  const slowEveryMs = options.slowEveryMs ?? 250;
  const fastProbes = options.fastProbes ?? 80;
  const maxProbes = options.maxProbes ?? 400;
  const loadTimeout = options.spec.load.map((l) => ('http' in l ? l.http.timeoutMs : 'tcp' in l ? l.tcp.timeoutMs : undefined)).find((x) => x !== undefined);
  const timeoutMs = options.timeoutMs ?? loadTimeout ?? 5_000;
  const maxInFlight = options.maxInFlight ?? 4;
  const afterExit = options.afterExit ?? 2;
  const mode = probeMode(options.spec);
  let stopped = false;
  let started = false;
  let exited = false;
  let seq = 0;
  const sockets = new Set<net.Socket>();
  const inFlight = new Set<Promise<void>>();
  let slot: (() => void) | undefined;
  let wake: (() => void) | undefined;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(go, ms);
      function go(): void {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = go;
    });

  // One operation: a fresh connection, the request, the answer (or the lack of one).
  const once = (phase: 'alive' | 'after-exit'): Promise<void> =>
    new Promise((resolve) => {
      const id = `${phase === 'alive' ? 'a' : 'x'}${++seq}`;
      history.emit({ type: 'request:start', driver: PROBE_DRIVER, id, op: `new-work ${phase}` });
      let ended = false;
      let text = '';
      // When the connection was established and the request written (request:end's sentT): how
      // long an unanswered one then waited is what tells a close race from a server that had
      // stopped accepting (history/ops.ts closeCuts).
      let sentT: number | undefined;
      const end = (outcome: OpOutcome, extra: { status?: number; error?: string } = {}): void => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        socket.destroy();
        sockets.delete(socket);
        history.emit({ type: 'request:end', driver: PROBE_DRIVER, id, outcome, ...extra, ...(sentT !== undefined ? { sentT } : {}) });
        slot?.();
        resolve();
      };
      const socket = net.connect({ host, port });
      sockets.add(socket);
      const timer = setTimeout(() => end('timeout', { error: `no answer within ${timeoutMs} ms` }), timeoutMs);
      socket.on('connect', () => {
        sentT = history.clock.now();
        if (mode.kind === 'http') {
          socket.write(`GET ${mode.path} HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\nUser-Agent: shutdown-drill-probe\r\n\r\n`);
        } else if (!mode.greeting) {
          end('ok', { error: 'connection accepted' });
        }
      });
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        text += chunk;
        const nl = text.indexOf('\n');
        if (nl < 0 && text.length < 4096) return;
        const line = (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '');
        if (mode.kind === 'http') {
          const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(line);
          if (m) end(outcomeOfStatus(Number(m[1])), { status: Number(m[1]) });
          else end('closed', { error: `not an HTTP answer: ${line.slice(0, 80)}` });
        } else {
          end(/^[45]\d\d/.test(line) ? 'rejected' : 'ok', { error: `reply: ${line.slice(0, 80)}` });
        }
      });
      socket.on('error', (error) => end(outcomeOfError(error), { error: errorText(error) }));
      socket.on('end', () => end('closed', { error: 'the connection was closed (FIN) before an answer' }));
      socket.on('close', () => end('closed', { error: 'the connection was closed before an answer' }));
    });

  // Resolves when a probe in flight ends (or at once when there is room).
  const room = (): Promise<void> =>
    sockets.size < maxInFlight ? Promise.resolve() : new Promise((resolve) => (slot = () => { slot = undefined; resolve(); }));
  const loop = async (): Promise<void> => {
    let alive = 0;
    while (!stopped && !exited && alive < maxProbes) {
      await room();
      if (stopped || exited) break;
      const at = performance.now();
      const p = once('alive');
      alive++;
      inFlight.add(p);
      void p.then(() => inFlight.delete(p));
      await sleep(Math.max(0, (alive < fastProbes ? everyMs : slowEveryMs) - (performance.now() - at)));
    }
    if (!stopped) await options.exited;
    // The probes in flight end by themselves (the exit closed their sockets, or their timeout).
    await Promise.all([...inFlight]);
    for (let i = 0; i < afterExit && !stopped; i++) {
      if (i > 0) await sleep(everyMs);
      if (!stopped) await once('after-exit');
    }
  };

  const off = history.subscribe((e: HistoryEvent) => {
    if (e.type !== 'signal:sent' || e.escalation || e.error) return;
    off();
    started = true;
    void loop().finally(() => finish());
  });
  void options.exited.then(() => {
    exited = true;
    wake?.();
  });
  return {
    finished: () => (started ? done : Promise.resolve()),
    stop(): void {
      stopped = true;
      off();
      wake?.();
      for (const socket of [...sockets]) socket.destroy();
      finish();
    },
  };
}
