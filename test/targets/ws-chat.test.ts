// The ws-chat target (seed 002): correct vs broken variants, driven directly with ws clients.
import t, { type Test } from 'tap';
import path from 'node:path';
import WebSocket from 'ws';
import { readyPort, spawnTarget, TARGETS, type Target } from './spawn-target.js';

const SERVER = path.join(TARGETS, 'ws-chat', 'server.mjs');

interface Client {
  ws: WebSocket;
  sent: number[];
  acked: Set<number>;
  others: string[];
  // Seqs sent before the signal (set by freeze()).
  beforeSignal: number[];
  closed: Promise<{ code: number }>;
}

// Opens `n` clients that each send {"seq":N} every 20 ms; resolves once all are open and acked once.
async function clients(port: number, n: number): Promise<Client[]> {
  let seq = 0;
  const list = await Promise.all(Array.from({ length: n }, () => new Promise<Client>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    const c: Client = { ws, sent: [], acked: new Set(), others: [], beforeSignal: [],
      closed: new Promise((r) => ws.on('close', (code) => r({ code }))) };
    ws.on('error', () => {});
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { ack?: number };
      if (typeof m.ack === 'number') c.acked.add(m.ack);
      else c.others.push(String(data));
    });
    ws.once('open', () => {
      const timer = setInterval(() => {
        if (ws.readyState !== WebSocket.OPEN) return clearInterval(timer);
        const s = ++seq;
        c.sent.push(s);
        ws.send(JSON.stringify({ seq: s }));
      }, 20);
      ws.once('message', () => resolve(c));
    });
    ws.once('error', reject);
  })));
  return list;
}

const status = async (port: number, p: string): Promise<number | string> => {
  try {
    return (await fetch(`http://127.0.0.1:${port}${p}`)).status;
  } catch (e) {
    return (e as { cause?: { code?: string } }).cause?.code ?? 'error';
  }
};

async function start(t: Test, variant: string): Promise<{ s: Target; port: number; cs: Client[] }> {
  const s = spawnTarget(t, process.execPath, [SERVER, '--port', '0', '--variant', variant]);
  const port = await readyPort(s);
  t.equal(await status(port, '/readyz'), 200, 'ready before the signal');
  const cs = await clients(port, 3);
  t.teardown(() => cs.forEach((c) => c.ws.terminate()));
  return { s, port, cs };
}

function strike(s: Target, cs: Client[]): void {
  for (const c of cs) c.beforeSignal = [...c.sent];
  s.signal('SIGTERM');
}

t.test('correct: readiness 503 at once, in-flight acked, bye with the total, close 1001, exit 0', async (t) => {
  const { s, port, cs } = await start(t, 'correct');
  strike(s, cs);
  await s.waitFor(/^shutdown: SIGTERM received/);
  t.equal(await status(port, '/readyz'), 503);
  t.equal(await status(port, '/healthz'), 200, 'still live while draining');
  const late = new WebSocket(`ws://127.0.0.1:${port}/`);
  const refused = await new Promise<string>((r) => {
    late.on('unexpected-response', (_req, res) => r(`HTTP ${res.statusCode}`));
    late.on('error', (e) => r(e.message));
    late.on('open', () => r('open'));
  });
  t.equal(refused, 'HTTP 503', 'no new connection accepted while shutting down');
  const closes = await Promise.all(cs.map((c) => c.closed));
  const exit = await s.exited;
  t.same([exit.code, exit.signal], [0, null]);
  t.ok(exit.msAfterSignal < 10_000, `exited ${exit.msAfterSignal.toFixed(0)} ms after SIGTERM`);
  t.same(closes.map((c) => c.code), [1001, 1001, 1001]);
  for (const c of cs) {
    t.same(c.beforeSignal.filter((x) => !c.acked.has(x)), [], 'every message sent before the signal was acked');
    t.same(c.others, [JSON.stringify({ bye: true, total: c.acked.size })], 'one bye carrying the client total');
  }
});

t.test('broken-terminate: clients see 1006 and no bye', async (t) => {
  const { s, cs } = await start(t, 'broken-terminate');
  strike(s, cs);
  const closes = await Promise.all(cs.map((c) => c.closed));
  const exit = await s.exited;
  t.same([exit.code, exit.signal], [0, null]);
  t.same(closes.map((c) => c.code), [1006, 1006, 1006]);
  t.same(cs.flatMap((c) => c.others), []);
});

t.test('broken-drops-inflight: close 1001 but in-flight messages never acked and no bye', async (t) => {
  const { s, cs } = await start(t, 'broken-drops-inflight');
  strike(s, cs);
  const closes = await Promise.all(cs.map((c) => c.closed));
  const exit = await s.exited;
  t.same([exit.code, exit.signal], [0, null]);
  t.same(closes.map((c) => c.code), [1001, 1001, 1001]);
  t.same(cs.flatMap((c) => c.others), []);
  const unacked = cs.flatMap((c) => c.beforeSignal.filter((x) => !c.acked.has(x)));
  t.ok(unacked.length > 0, `${unacked.length} messages sent before the signal were dropped`);
});

t.test('broken-slow: still running 2 s after SIGTERM (a fixed 12 s sleep overruns the 10 s budget)', async (t) => {
  const { s, port, cs } = await start(t, 'broken-slow');
  strike(s, cs);
  await s.waitFor(/^shutdown: waiting 12 s/);
  t.equal(await status(port, '/readyz'), 503);
  const early = await Promise.race([s.exited.then(() => 'exited'), new Promise((r) => setTimeout(r, 2_000, 'alive'))]);
  t.equal(early, 'alive');
  s.signal('SIGKILL');
  t.same((await s.exited).signal, 'SIGKILL');
});
