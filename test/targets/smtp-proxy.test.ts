// The smtp-proxy target (seed 003): correct vs broken variants, driven directly over TCP.
import t from 'tap';
import net from 'node:net';
import path from 'node:path';
import { readyPort, spawnTarget, TARGETS } from './spawn-target.js';

const DIR = path.join(TARGETS, 'smtp-proxy');

// A line client: `say(line)` resolves with the next reply line; `ended` resolves on FIN/close.
function client(port: number): Promise<{ say(line: string): Promise<string>; next(): Promise<string>; ended: Promise<'fin' | 'reset'>; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    let buffer = '';
    const queue: string[] = [];
    const waiters: Array<(l: string) => void> = [];
    let reset = false;
    socket.on('error', () => (reset = true));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        if (waiters.length) waiters.shift()!(line);
        else queue.push(line);
      }
    });
    const next = (): Promise<string> => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiters.push(r)));
    const ended = new Promise<'fin' | 'reset'>((r) => socket.on('close', () => r(reset ? 'reset' : 'fin')));
    socket.once('connect', () => resolve({ socket, next, ended, say: (line) => (socket.write(`${line}\r\n`), next()) }));
    socket.once('error', reject);
  });
}

t.test('smtp-proxy', async (t) => {
  const upstream = spawnTarget(t, process.execPath, [path.join(DIR, 'upstream.mjs'), '--port', '0']);
  const upstreamPort = await readyPort(upstream);
  const start = async (variant: string) => {
    const p = spawnTarget(t, process.execPath, [path.join(DIR, 'proxy.mjs'), '--port', '0', '--upstream-port', String(upstreamPort), '--variant', variant]);
    const port = await readyPort(p);
    const c = await client(port);
    t.teardown(() => c.socket.destroy());
    t.equal(await c.next(), '220 proxy ready');
    t.equal(await c.say('HELO test'), '250 hello');
    t.equal(await c.say('NOOP'), '250 ok', 'NOOP relayed through the pool');
    return { p, port, c };
  };

  t.test('correct: SIGTERM and SIGINT close the pool in parallel and exit 0 in under 1 s', async (t) => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      const { p, c } = await start('correct');
      p.signal(sig);
      t.equal(await c.next(), '421 proxy shutting down');
      t.equal(await c.ended, 'fin', 'the client sees a clean close');
      const exit = await p.exited;
      t.same([exit.code, exit.signal], [0, null], `${sig}: exit 0`);
      t.ok(exit.msAfterSignal < 1000, `${sig}: exited ${exit.msAfterSignal.toFixed(0)} ms after the signal`);
      t.match(p.output(), /pool: closed 25 connections \(parallel\)/);
    }
  });

  t.test('correct: SIGHUP reloads the config and keeps serving', async (t) => {
    const { p, port, c } = await start('correct');
    p.signal('SIGHUP');
    await p.waitFor(/config reloaded/);
    t.equal(await c.say('NOOP'), '250 ok', 'the open session still works');
    const fresh = await client(port);
    t.teardown(() => fresh.socket.destroy());
    t.equal(await fresh.next(), '220 proxy ready', 'new sessions are accepted');
    p.signal('SIGTERM');
    t.same((await p.exited).code, 0);
  });

  t.test('broken-hang: awaits a fresh event that never fires, so it outlives SIGTERM until SIGKILL', async (t) => {
    const { p, port } = await start('broken-hang');
    p.signal('SIGTERM');
    await p.waitFor(/SIGTERM received: shutting down/);
    const early = await Promise.race([p.exited.then(() => 'exited'), new Promise((r) => setTimeout(r, 1_500, 'alive'))]);
    t.equal(early, 'alive');
    const fresh = await client(port);
    t.teardown(() => fresh.socket.destroy());
    t.equal(await fresh.next(), '220 proxy ready', 'still serving: the shutdown never ran');
    p.signal('SIGKILL');
    t.same((await p.exited).signal, 'SIGKILL');
  });

  t.test('broken-serial-close: closes 25 pooled connections one by one (over 2 s)', async (t) => {
    const { p } = await start('broken-serial-close');
    p.signal('SIGTERM');
    const exit = await p.exited;
    t.same([exit.code, exit.signal], [0, null]);
    t.ok(exit.msAfterSignal > 2000, `exited ${exit.msAfterSignal.toFixed(0)} ms after SIGTERM`);
    t.match(p.output(), /pool: closed 25 connections \(one by one\)/);
  });

  t.test('broken-exits-on-hup: SIGHUP shuts it down', async (t) => {
    const { p } = await start('broken-exits-on-hup');
    p.signal('SIGHUP');
    const exit = await p.exited;
    t.same([exit.code, exit.signal], [0, null]);
    t.notMatch(p.output(), /config reloaded/);
  });
});
