import net from 'node:net';
import { HarnessError } from '../errors.js';

const reserved = new Set<number>();

// A free TCP port on 127.0.0.1, not handed out before by this harness process (so concurrent runs
// never share one). The port is released by the OS at once; a target that then finds it taken
// is retried by the caller (see run-one.ts).
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.on('error', reject);
      server.listen(0, host, () => {
        const address = server.address();
        const p = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(p));
      });
    });
    if (!reserved.has(port)) {
      reserved.add(port);
      return port;
    }
  }
  throw new HarnessError('PORT_UNAVAILABLE', `could not find a free port on ${host} after 50 attempts`);
}

// Resolves true when something accepts TCP connections on host:port.
export function portAccepts(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean): void => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
