// The http-api target (seed 004): correct vs broken variants, driven directly with raw HTTP/1.1
// keep-alive sockets (so a reset, a FIN and a `Connection: close` are each visible).
import t, { type Test } from 'tap';
import net from 'node:net';
import path from 'node:path';
import { readyPort, spawnTarget, TARGETS } from './spawn-target.js';

const SERVER = path.join(TARGETS, 'http-api', 'server.mjs');

interface Conn {
  socket: net.Socket;
  // Sends a GET; resolves with the status and headers of its response, or the socket's fate.
  get(p: string): Promise<{ status: number; headers: string } | { error: string }>;
  // How the socket ended: a FIN from the server, or a reset.
  ended: Promise<'fin' | 'reset'>;
}

function connect(port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    let buffer = '';
    let pending: ((r: { status: number; headers: string } | { error: string }) => void) | undefined;
    let how: 'fin' | 'reset' = 'fin';
    socket.on('error', (e: NodeJS.ErrnoException) => {
      how = 'reset';
      pending?.({ error: e.code ?? e.message });
      pending = undefined;
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.slice(0, end);
      let bodyEnd: number;
      if (/transfer-encoding: chunked/i.test(head)) {
        const last = buffer.indexOf('\r\n0\r\n\r\n', end);
        if (last < 0) return;
        bodyEnd = last + 7;
      } else {
        bodyEnd = end + 4 + Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < bodyEnd) return;
      }
      buffer = buffer.slice(bodyEnd);
      pending?.({ status: Number(head.split(' ')[1]), headers: head.toLowerCase() });
      pending = undefined;
    });
    const ended = new Promise<'fin' | 'reset'>((r) => socket.on('close', () => {
      pending?.({ error: 'closed' });
      r(how);
    }));
    socket.once('connect', () => resolve({
      socket, ended,
      get: (p) => new Promise((r) => {
        pending = r;
        socket.write(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      }),
    }));
    socket.once('error', reject);
  });
}

const status = async (port: number, p: string): Promise<number | string> => {
  try {
    return (await fetch(`http://127.0.0.1:${port}${p}`)).status;
  } catch (e) {
    return (e as { cause?: { code?: string } }).cause?.code ?? 'error';
  }
};

// Starts the server, opens 3 keep-alive connections (used once), puts a slow request in flight on
// each, and waits until the server has received all three.
async function withInFlight(t: Test, variant: string, slowMs: number, extra: string[] = []) {
  const s = spawnTarget(t, process.execPath, [SERVER, '--port', '0', '--variant', variant, '--log-requests', ...extra]);
  const port = await readyPort(s);
  const conns = await Promise.all([0, 1, 2].map(() => connect(port)));
  t.teardown(() => conns.forEach((c) => c.socket.destroy()));
  for (const c of conns) t.match(await c.get('/fast'), { status: 200 }, 'keep-alive connection primed');
  const slow = conns.map((c) => c.get(`/slow?ms=${slowMs}`));
  await s.waitFor(/^request: GET \/slow/, 10_000, 3);
  return { s, port, conns, slow };
}

t.test('correct: readiness 503, in-flight drained with Connection: close, resources by priority, exit 0', async (t) => {
  const { s, port, conns, slow } = await withInFlight(t, 'correct', 600);
  s.signal('SIGTERM');
  await s.waitFor(/phase stopping-new-requests/);
  t.equal(await status(port, '/readyz'), 503, 'not ready while draining');
  t.equal(await status(port, '/fast'), 503, 'new work rejected while draining');
  for (const r of await Promise.all(slow)) {
    t.match(r, { status: 200 }, 'the in-flight request completed');
    t.match((r as { headers: string }).headers, /connection: close/, 'and told the client not to reuse the connection');
  }
  t.same(await Promise.all(conns.map((c) => c.ended)), ['fin', 'fin', 'fin'], 'connections closed cleanly, never reset');
  const exit = await s.exited;
  t.same([exit.code, exit.signal], [0, null]);
  t.same(s.lines.filter((l) => l.startsWith('closing resource:')), [
    'closing resource: cache (priority 1)', 'closing resource: queue (priority 2)', 'closing resource: database (priority 3)',
  ]);
});

t.test('correct: an idle keep-alive connection is closed with a FIN, not a reset', async (t) => {
  const s = spawnTarget(t, process.execPath, [SERVER, '--port', '0']);
  const port = await readyPort(s);
  const c = await connect(port);
  t.teardown(() => c.socket.destroy());
  t.match(await c.get('/fast'), { status: 200 });
  s.signal('SIGTERM');
  t.equal(await c.ended, 'fin');
  t.same((await s.exited).code, 0);
});

t.test('correct: work that outlives the drain timeout is cut off and the exit status is 1', async (t) => {
  const { s, slow } = await withInFlight(t, 'correct', 10_000, ['--drain-timeout-ms', '500']);
  s.signal('SIGTERM');
  const exit = await s.exited;
  t.same([exit.code, exit.signal], [1, null]);
  t.ok(exit.msAfterSignal < 2_000, `forced after ${exit.msAfterSignal.toFixed(0)} ms`);
  t.match(s.output(), /drain timeout after 500 ms, 3 requests still in flight, forcing/);
  t.match(s.output(), /shutdown: forced \(drain timeout\)/);
  for (const r of await Promise.all(slow)) t.notMatch(r, { status: 200 });
});

t.test('broken-keepalive-reset: responses keep the connection alive, then a request reusing it is cut off', async (t) => {
  const { s, conns, slow } = await withInFlight(t, 'broken-keepalive-reset', 400);
  s.signal('SIGTERM');
  const fates = await Promise.all(conns.map(async (c, i) => {
    const r = await slow[i]!;
    t.match(r, { status: 200 });
    t.notMatch((r as { headers: string }).headers, /connection: close/, 'the client is invited to reuse the connection');
    // Reuse it back to back, as a keep-alive client under load does, until it breaks.
    for (let n = 0; n < 100_000; n++) {
      const next = await c.get('/fast');
      if ('error' in next) return next.error;
      if (/connection: close/.test(next.headers)) return 'told to close';
    }
    return 'never cut off';
  }));
  for (const fate of fates) t.match(fate, /^(ECONNRESET|EPIPE|closed)$/, 'a request on the reused connection got no response');
  t.same((await s.exited).code, 0);
});

t.test('broken-inflight-reset: in-flight requests are cut off at once', async (t) => {
  const { s, slow } = await withInFlight(t, 'broken-inflight-reset', 600);
  s.signal('SIGTERM');
  for (const r of await Promise.all(slow)) t.notMatch(r, { status: 200 }, 'no response');
  const exit = await s.exited;
  t.same([exit.code, exit.signal], [0, null]);
  t.ok(exit.msAfterSignal < 500, 'it did not wait for the in-flight work');
});

t.test('broken-close-order: the database is closed first', async (t) => {
  const s = spawnTarget(t, process.execPath, [SERVER, '--port', '0', '--variant', 'broken-close-order']);
  await readyPort(s);
  s.signal('SIGTERM');
  const exit = await s.exited;
  t.same([exit.code, exit.signal], [0, null]);
  t.same(s.lines.filter((l) => l.startsWith('closing resource:')), [
    'closing resource: database (priority 3)', 'closing resource: cache (priority 1)', 'closing resource: queue (priority 2)',
  ]);
});
