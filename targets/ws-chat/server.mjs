// A WebSocket chat service on ws (seed 002).
//   node server.mjs --port N [--variant V] [--ack-ms 100] [--readiness-grace-ms 300]
// HTTP: /healthz (200 while up), /readyz (200; 503 once shutting down). WebSocket on `/`: a message
// {"seq":N} is answered after --ack-ms with {"ack":N}. Variants: correct, broken-terminate,
// broken-drops-inflight, broken-slow (see README.md).
import http from 'node:http';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

const VARIANTS = ['correct', 'broken-terminate', 'broken-drops-inflight', 'broken-slow'];
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    variant: { type: 'string', default: 'correct' },
    'ack-ms': { type: 'string', default: '100' },
    'readiness-grace-ms': { type: 'string', default: '300' },
    'close-timeout-ms': { type: 'string', default: '2000' },
  },
});
if (!VARIANTS.includes(values.variant)) {
  process.stderr.write(`ws-chat: --variant must be one of ${VARIANTS.join(', ')}, got "${values.variant}"\n`);
  process.exit(2);
}
const variant = values.variant;
const ackMs = Number(values['ack-ms']);
const graceMs = Number(values['readiness-grace-ms']);
const closeTimeoutMs = Number(values['close-timeout-ms']);
const log = (line) => process.stdout.write(`${line}\n`);

let shuttingDown = false;
// Set once the readiness grace is over: messages from then on are not taken on (no ack, not counted).
let closing = false;
// Per client: messages received (its total) and the acks still pending.
const clients = new Map();

const server = http.createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/healthz') {
    res.end('ok\n');
  } else if (path === '/readyz') {
    res.writeHead(shuttingDown ? 503 : 200, { 'content-type': 'text/plain' });
    res.end(shuttingDown ? 'shutting down\n' : 'ready\n');
  } else {
    res.writeHead(404);
    res.end('not found\n');
  }
});

const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  if (shuttingDown) {
    socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

wss.on('connection', (ws) => {
  const state = { total: 0, pending: new Set() };
  clients.set(ws, state);
  ws.on('message', (data) => {
    let seq;
    try {
      seq = JSON.parse(String(data)).seq;
    } catch {
      return;
    }
    if (closing) return;
    state.total++;
    const timer = setTimeout(() => {
      state.pending.delete(timer);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ ack: seq }));
      if (state.pending.size === 0) state.onIdle?.();
    }, ackMs);
    state.pending.add(timer);
  });
  ws.on('close', () => {
    for (const t of state.pending) clearTimeout(t);
    clients.delete(ws);
  });
  ws.on('error', () => {});
});

// Resolves when every pending ack of the client has been sent.
function idle(state) {
  if (state.pending.size === 0) return Promise.resolve();
  return new Promise((resolve) => {
    state.onIdle = resolve;
  });
}

// Says goodbye to one client and closes it with 1001; resolves when the close handshake is done.
function goodbye(ws, state, { bye }) {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve();
    ws.once('close', resolve);
    if (bye) ws.send(JSON.stringify({ bye: true, total: state.total }));
    ws.close(1001, 'server shutting down');
    setTimeout(() => ws.terminate(), closeTimeoutMs).unref();
  });
}

async function shutdown(sig) {
  if (shuttingDown) return;
  shuttingDown = true;
  log(`shutdown: ${sig} received, readiness now 503`);
  if (variant === 'broken-terminate') {
    for (const ws of clients.keys()) ws.terminate();
    log('shutdown: sockets terminated');
    process.exit(0);
  }
  if (variant === 'broken-drops-inflight') {
    closing = true;
    for (const state of clients.values()) {
      for (const t of state.pending) clearTimeout(t);
      state.pending.clear();
    }
  }
  // Readiness grace: keep answering /readyz 503 so the load balancer sees it before we go away.
  await new Promise((r) => setTimeout(r, graceMs));
  if (variant === 'broken-slow') {
    log('shutdown: waiting 12 s for clients to finish');
    await new Promise((r) => setTimeout(r, 12_000));
  }
  closing = true;
  const entries = [...clients.entries()];
  if (variant !== 'broken-drops-inflight') await Promise.all(entries.map(([, s]) => idle(s)));
  log(`shutdown: closing ${entries.length} clients with 1001`);
  await Promise.all(entries.map(([ws, s]) => goodbye(ws, s, { bye: variant !== 'broken-drops-inflight' })));
  server.close();
  log('shutdown: complete');
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

server.listen(Number(values.port), '127.0.0.1', () => {
  log(`ready on 127.0.0.1:${server.address().port}`);
});
