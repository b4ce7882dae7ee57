// An SMTP-like line-protocol proxy with a pool of upstream connections (seed 003).
//   node proxy.mjs --port N --upstream-port M [--pool 25] [--variant V]
// Clients get `220 proxy ready`; `HELO x` -> `250 hello`; `NOOP` is relayed over a pooled upstream
// connection -> `250 ok`; `QUIT` -> `221 bye`. SIGHUP reloads the config. Variants: correct,
// broken-hang, broken-serial-close, broken-exits-on-hup (see README.md).
import { EventEmitter, once } from 'node:events';
import net from 'node:net';
import { parseArgs } from 'node:util';

const VARIANTS = ['correct', 'broken-hang', 'broken-serial-close', 'broken-exits-on-hup'];
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'upstream-port': { type: 'string' },
    pool: { type: 'string', default: '25' },
    variant: { type: 'string', default: 'correct' },
  },
});
const fail = (message) => {
  process.stderr.write(`smtp-proxy: ${message}\n`);
  process.exit(2);
};
if (!VARIANTS.includes(values.variant)) fail(`--variant must be one of ${VARIANTS.join(', ')}, got "${values.variant}"`);
if (!values['upstream-port']) fail('--upstream-port is required: the port upstream.mjs listens on');
const variant = values.variant;
const upstreamPort = Number(values['upstream-port']);
const poolSize = Number(values.pool);
const log = (line) => process.stdout.write(`${line}\n`);

// ---- line sockets ----
// Wraps a socket: `next()` resolves with the next line received (null once the socket closed).
function lines(socket) {
  socket.setEncoding('utf8');
  let buffer = '';
  const queue = [];
  const waiters = [];
  let closed = false;
  const push = (line) => (waiters.length ? waiters.shift()(line) : queue.push(line));
  socket.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      push(buffer.slice(0, nl).replace(/\r$/, ''));
      buffer = buffer.slice(nl + 1);
    }
  });
  socket.on('close', () => {
    closed = true;
    while (waiters.length) waiters.shift()(null);
  });
  socket.on('error', () => {});
  return {
    next: () => (queue.length ? Promise.resolve(queue.shift()) : closed ? Promise.resolve(null) : new Promise((r) => waiters.push(r))),
  };
}

// ---- the upstream pool ----
// One pooled connection: commands are sent one at a time (a chain), replies read in order.
async function openPooled() {
  const socket = net.connect(upstreamPort, '127.0.0.1');
  await once(socket, 'connect');
  const reader = lines(socket);
  const greeting = await reader.next();
  if (!greeting?.startsWith('220')) throw new Error(`upstream greeting was ${JSON.stringify(greeting)}`);
  let chain = Promise.resolve();
  const command = (line) => {
    const reply = chain.then(() => {
      socket.write(`${line}\r\n`);
      return reader.next();
    });
    chain = reply.catch(() => {});
    return reply;
  };
  // QUIT, then wait for the upstream to close (it answers after ~100 ms).
  const close = async () => {
    const closed = once(socket, 'close');
    await command('QUIT');
    socket.end();
    await closed;
  };
  return { command, close };
}

const pool = await Promise.all(Array.from({ length: poolSize }, openPooled));
let turn = 0;
const pooled = () => pool[turn++ % pool.length];

async function closePool() {
  const started = process.hrtime.bigint();
  if (variant === 'broken-serial-close') {
    for (const conn of pool) await conn.close();
  } else {
    await Promise.all(pool.map((conn) => conn.close()));
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  log(`pool: closed ${pool.length} connections (${variant === 'broken-serial-close' ? 'one by one' : 'parallel'}) in ${ms.toFixed(0)} ms`);
}

// ---- the client-facing server ----
let stopping = false;
const sessions = new Set();

async function session(socket) {
  const state = { socket, busy: Promise.resolve() };
  sessions.add(state);
  socket.on('close', () => sessions.delete(state));
  const reader = lines(socket);
  socket.write('220 proxy ready\r\n');
  for (;;) {
    const line = await reader.next();
    if (line === null || stopping) return;
    const verb = line.split(' ')[0].toUpperCase();
    let done;
    state.busy = new Promise((r) => (done = r));
    if (verb === 'HELO' || verb === 'EHLO') socket.write('250 hello\r\n');
    else if (verb === 'NOOP') {
      const reply = await pooled().command('NOOP').catch(() => null);
      socket.write(reply?.startsWith('250') ? '250 ok\r\n' : '451 upstream unavailable\r\n');
    } else if (verb === 'QUIT') {
      socket.end('221 bye\r\n');
      done();
      return;
    } else socket.write('500 unknown command\r\n');
    done();
  }
}

const server = net.createServer((socket) => {
  socket.on('error', () => {});
  session(socket).catch(() => socket.destroy());
});
server.listen(Number(values.port), '127.0.0.1');
await once(server, 'listening');
log(`ready on 127.0.0.1:${server.address().port} (pool of ${pool.length} upstream connections)`);

// ---- signals ----
const control = new EventEmitter();
process.on('SIGHUP', () => {
  if (variant === 'broken-exits-on-hup') {
    log('SIGHUP received: shutting down');
    control.emit('stop', 'SIGHUP');
    return;
  }
  log('SIGHUP received: config reloaded');
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    log(`${sig} received: shutting down`);
    control.emit('stop', sig);
  });
}

// Waits for the stop request. The seed's bug awaited a fresh event nobody ever sets.
if (variant === 'broken-hang') await once(new EventEmitter(), 'stop');
else await once(control, 'stop');

stopping = true;
server.close();
await Promise.all([...sessions].map(async (s) => {
  await s.busy;
  s.socket.end('421 proxy shutting down\r\n');
}));
await closePool();
log('shutdown complete');
process.exit(0);
