// A tiny Node HTTP app for the wrapper target: the signal path through `npm run` and `sh -c`.
//   node app.mjs --port N [--drain-ms 200]
// GET / -> 200. On SIGTERM or SIGINT it logs `graceful shutdown (SIG...)`, stops listening, takes
// --drain-ms to finish its work, logs `graceful shutdown complete` and exits 0. Whether the signal
// reaches it depends on how it was launched (see README.md).
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, 'drain-ms': { type: 'string', default: '200' } },
});
const log = (line) => process.stdout.write(`${line}\n`);

const server = http.createServer((req, res) => {
  res.end('hello from the wrapped app\n');
});

let stopping = false;
function shutdown(sig) {
  if (stopping) return;
  stopping = true;
  log(`graceful shutdown (${sig}, pid ${process.pid})`);
  server.close();
  server.closeIdleConnections();
  setTimeout(() => {
    server.closeAllConnections();
    log('graceful shutdown complete');
    process.exit(0);
  }, Number(values['drain-ms']));
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

server.listen(Number(values.port), '127.0.0.1', () => {
  log(`ready on 127.0.0.1:${server.address().port} (pid ${process.pid}, ppid ${process.ppid})`);
});
