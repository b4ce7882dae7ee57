// A slow local HTTP file server for the downloader target (seed 000).
//   GET /file/<i>   200, (i+1) * --step-kb KiB, sent in --chunk-kb chunks every --chunk-ms ms
//   GET /flaky/<i>  500 at once (the downloader retries it after a 5 s sleep)
//   GET /healthz    200
// File contents are deterministic: byte j of file i is (j + 7 * i) % 251 (see content.mjs).
import http from 'node:http';
import { parseArgs } from 'node:util';
import { fileSize, fileChunk } from './content.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'step-kb': { type: 'string', default: '100' },
    'chunk-kb': { type: 'string', default: '8' },
    'chunk-ms': { type: 'string', default: '20' },
  },
});
const stepKb = Number(values['step-kb']);
const chunkBytes = Number(values['chunk-kb']) * 1024;
const chunkMs = Number(values['chunk-ms']);

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  let m;
  if (url.pathname === '/healthz') {
    res.end('ok\n');
  } else if ((m = /^\/file\/(\d+)$/.exec(url.pathname))) {
    const index = Number(m[1]);
    const size = fileSize(index, stepKb);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
    let offset = 0;
    const timer = setInterval(() => {
      const end = Math.min(size, offset + chunkBytes);
      res.write(fileChunk(index, offset, end));
      offset = end;
      if (offset >= size) {
        clearInterval(timer);
        res.end();
      }
    }, chunkMs);
    res.on('close', () => clearInterval(timer));
  } else if (/^\/flaky\/\d+$/.test(url.pathname)) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('upstream flaked\n');
  } else {
    res.writeHead(404);
    res.end('not found\n');
  }
});

server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`ready on 127.0.0.1:${port}`);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
