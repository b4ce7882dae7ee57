// An HTTP API with slow endpoints and prioritized resources (seed 004).
//   node server.mjs --port N [--variant V] [--drain-timeout-ms 5000] [--overall-timeout-ms 8000]
// Endpoints: /healthz, /readyz (503 while draining), /fast, /slow?ms=N. Variants: correct,
// broken-keepalive-reset, broken-inflight-reset, broken-close-order (see README.md).
import http from 'node:http';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const VARIANTS = ['correct', 'broken-keepalive-reset', 'broken-inflight-reset', 'broken-close-order'];
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    variant: { type: 'string', default: 'correct' },
    'drain-timeout-ms': { type: 'string', default: '5000' },
    'overall-timeout-ms': { type: 'string', default: '8000' },
    'readiness-grace-ms': { type: 'string', default: '200' },
    'idle-close-ms': { type: 'string', default: '300' },
    'log-requests': { type: 'boolean', default: false },
  },
});
if (!VARIANTS.includes(values.variant)) {
  process.stderr.write(`http-api: --variant must be one of ${VARIANTS.join(', ')}, got "${values.variant}"\n`);
  process.exit(2);
}
const variant = values.variant;
const drainTimeoutMs = Number(values['drain-timeout-ms']);
const overallTimeoutMs = Number(values['overall-timeout-ms']);
const graceMs = Number(values['readiness-grace-ms']);
const idleCloseMs = Number(values['idle-close-ms']);
const log = (line) => process.stdout.write(`${line}\n`);
const now = () => Number(process.hrtime.bigint() / 1_000_000n);

// ---- resources, closed by priority (lower first) ----
function resource(name, priority, closeMs) {
  return { name, priority, close: () => sleep(closeMs) };
}
// Registered in the order the app opened them: the database first.
const resources = [resource('database', 3, 20), resource('cache', 1, 10), resource('queue', 2, 15)];

async function closeResources() {
  const order = variant === 'broken-close-order' ? resources : [...resources].sort((a, b) => a.priority - b.priority);
  for (const r of order) {
    log(`closing resource: ${r.name} (priority ${r.priority})`);
    await r.close();
  }
}

// ---- connections and in-flight requests ----
let draining = false;
let inFlight = 0;
let onDrained = null;
// Per socket: requests in progress and when it was last active.
const sockets = new Map();

const server = http.createServer((req, res) => {
  const conn = sockets.get(req.socket);
  if (conn) conn.last = now();
  const url = new URL(req.url ?? '/', 'http://x');
  if (values['log-requests']) log(`request: ${req.method} ${req.url}${draining ? ' (draining)' : ''}`);
  if (draining) {
    // Stop accepting: every new request is refused cleanly, and the connection is not reused.
    if (variant !== 'broken-keepalive-reset') res.setHeader('connection', 'close');
    res.writeHead(url.pathname === '/healthz' ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(url.pathname === '/healthz' ? 'ok\n' : 'shutting down\n');
    return;
  }
  inFlight++;
  if (conn) conn.active++;
  res.on('close', () => {
    inFlight--;
    if (conn) {
      conn.active--;
      conn.last = now();
    }
    if (inFlight === 0) onDrained?.();
  });
  const reply = (status, body) => {
    // A response finishing during the drain tells the client not to reuse the connection.
    if (draining && variant !== 'broken-keepalive-reset') res.setHeader('connection', 'close');
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(`${JSON.stringify(body)}\n`);
  };
  switch (url.pathname) {
    case '/healthz':
    case '/readyz':
      return reply(200, { ok: true });
    case '/fast':
      return reply(200, { fast: true });
    case '/slow': {
      const ms = Number(url.searchParams.get('ms') ?? '1000');
      const timer = setTimeout(() => reply(200, { slow: ms }), ms);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    default:
      return reply(404, { error: 'not found' });
  }
});
server.on('connection', (socket) => {
  sockets.set(socket, { active: 0, last: now() });
  socket.on('close', () => sockets.delete(socket));
});

// Resolves true once no request is in flight, false after `ms`.
function drained(ms) {
  if (inFlight === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    onDrained = () => {
      clearTimeout(timer);
      resolve(true);
    };
  });
}

// Resolves once every socket is closed: idle ones are ended once idle for --idle-close-ms (a
// socket that carries one more request gets `Connection: close` and is closed after it).
function socketsClosed() {
  return new Promise((resolve) => {
    const tick = () => {
      for (const [socket, c] of sockets) if (c.active === 0 && now() - c.last >= idleCloseMs) socket.end();
      if (sockets.size === 0) return resolve();
      setTimeout(tick, 25);
    };
    tick();
  });
}

async function shutdown(sig) {
  if (draining) return;
  draining = true;
  const started = now();
  setTimeout(() => {
    log(`shutdown: overall timeout ${overallTimeoutMs} ms reached, forced exit`);
    process.exit(1);
  }, overallTimeoutMs).unref();
  log(`shutdown: ${sig} received, phase stopping-new-requests (readiness 503)`);

  if (variant === 'broken-inflight-reset') {
    server.close();
    server.closeAllConnections();
    log('shutdown: all connections closed');
    await closeResources();
    log('shutdown: complete');
    process.exit(0);
  }

  log(`shutdown: phase draining (${inFlight} in flight)`);
  const drainedInTime = drained(drainTimeoutMs);
  // Readiness grace: the listener stays open so probes (a load balancer) see the 503 first.
  await sleep(graceMs);
  // Accept what already waits in the backlog (closing the listener would reset it), then stop
  // listening without closing idle connections at once (http.Server#close would, racing clients
  // that are about to reuse them). New connections are refused from here on.
  await new Promise((r) => setImmediate(r));
  net.Server.prototype.close.call(server);
  log('shutdown: listener closed');
  const ok = await drainedInTime;
  if (variant === 'broken-keepalive-reset') {
    for (const socket of sockets.keys()) socket.resetAndDestroy();
    log('shutdown: all sockets destroyed');
  } else if (ok) {
    log(`shutdown: drained in ${now() - started} ms`);
    await socketsClosed();
  } else {
    log(`shutdown: drain timeout after ${drainTimeoutMs} ms, ${inFlight} requests still in flight, forcing`);
    for (const socket of sockets.keys()) socket.destroy();
  }
  log('shutdown: phase closing-resources');
  await closeResources();
  if (!ok) {
    log('shutdown: forced (drain timeout)');
    process.exit(1);
  }
  log('shutdown: complete');
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

server.listen(Number(values.port), '127.0.0.1', () => {
  log(`ready on 127.0.0.1:${server.address().port}`);
});
