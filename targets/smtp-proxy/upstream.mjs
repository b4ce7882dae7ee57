// A fake SMTP upstream for the smtp-proxy target (seed 003).
//   node upstream.mjs --port N [--quit-ms 100]
// Line protocol: greeting `220 upstream ready`; `NOOP` -> `250 ok`; `QUIT` -> `221 bye` after
// --quit-ms, then it closes the connection; anything else -> `500 unknown command`.
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, 'quit-ms': { type: 'string', default: '100' } },
});
const quitMs = Number(values['quit-ms']);
const sockets = new Set();

const server = net.createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => {});
  socket.setEncoding('utf8');
  socket.write('220 upstream ready\r\n');
  let buffer = '';
  socket.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      const verb = line.split(' ')[0].toUpperCase();
      if (verb === 'NOOP') socket.write('250 ok\r\n');
      else if (verb === 'QUIT') setTimeout(() => socket.end('221 bye\r\n'), quitMs);
      else socket.write('500 unknown command\r\n');
    }
  });
});

server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`ready on 127.0.0.1:${server.address().port}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    for (const s of sockets) s.destroy();
    server.close(() => process.exit(0));
  });
}
