import t from 'tap';
import { eventsOf } from '../../harness/history/events.js';
import { loadView } from '../../harness/history/ops.js';
import { WorkerLoad } from '../../harness/load/worker-host.js';
import { drive, until } from '../fixtures/load/drive.js';
import { httpFixture } from '../fixtures/load/servers.js';

t.test('autocannon engine: status classes per request, exact counts', async (t) => {
  const server = await httpFixture();
  t.teardown(() => server.close());
  const d = drive({ http: { connections: 3, amount: 30, requests: [{ path: '/ok' }, { path: '/404' }, { path: '/503' }] } }, server.port, { errorRate: { maxPct: 0 } });
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  await d.driver.done;
  const events = await d.finish();
  const { ops } = loadView(events);
  const count = (o: string): number => ops.filter((x) => x.outcome === o).length;
  t.equal(ops.length, 30, 'every request recorded');
  // Each of 3 connections makes 10 requests cycling /ok, /404, /503: 4 + 3 + 3.
  t.equal(count('ok'), 12);
  t.equal(count('http-error'), 9);
  t.equal(count('rejected'), 9);
  t.ok(ops.filter((o) => o.outcome === 'http-error').every((o) => o.status === 404 && o.op === 'GET /404'));
  t.ok(ops.every((o) => o.endT! >= o.startT && (o.bytes ?? 0) > 0));
  t.equal(eventsOf(events, 'load:started')[0]?.detail?.engine, 'autocannon');
  const rate = d.judge('error-rate');
  t.equal(rate.status, 'fail');
  t.same(rate.actual, { pct: 60, failed: 18, total: 30, outcomes: { ok: 12, 'http-error': 9, rejected: 9 } });
});

t.test('autocannon engine: `Connection: close` answers are honoured (no request written into a closing socket)', async (t) => {
  const server = await httpFixture();
  t.teardown(() => server.close());
  const d = drive({ http: { connections: 2, amount: 40, path: '/close', engine: 'autocannon' } }, server.port, { noReset: true });
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  await d.driver.done;
  const events = await d.finish();
  const { ops } = loadView(events);
  t.equal(ops.length, 40);
  t.equal(ops.filter((o) => o.outcome === 'ok').length, 40, ops.filter((o) => o.outcome !== 'ok').map((o) => o.error).join('; '));
  t.equal(d.judge('no-reset').status, 'pass');
  t.equal(server.requests, 40, 'the server saw exactly the requests recorded');
});

t.test('autocannon engine: a server that resets in-flight sockets fails drain, each reset listed with its offset', async (t) => {
  const server = await httpFixture();
  t.teardown(() => server.close());
  const d = drive({ http: { connections: 4, path: '/hold', durationMs: 20_000 } }, server.port, { drain: true, noReset: true, newWorkRejected: true });
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  await server.waitHeld(4);
  await until(d.history, (ev) => eventsOf(ev, 'request:start').length >= 4);
  const S = d.signal();
  server.stopListening();
  server.resetAll();
  await until(d.history, (ev) => eventsOf(ev, 'request:end').filter((e) => e.outcome === 'reset').length >= 4);
  d.exit();
  const events = await d.finish();

  const resets = loadView(events).ops.filter((o) => o.outcome === 'reset');
  t.equal(resets.length, 4, 'the 4 held requests were reset');
  t.ok(resets.every((o) => o.startT < S && o.endT! >= S));
  t.ok(resets.every((o) => /ECONNRESET/.test(o.error ?? '')), resets.map((o) => o.error).join('; '));

  const drain = d.judge('drain');
  t.equal(drain.status, 'fail');
  t.match(drain.message, /4 of 4 operations started before SIGTERM did not complete ok/);
  t.equal(drain.details?.length, 4);
  for (const item of drain.details as Array<Record<string, unknown>>) {
    t.equal(item.outcome, 'reset');
    t.ok((item.startOffsetMs as number) < 0, 'started before the signal');
    t.ok((item.endOffsetMs as number) >= 0, 'ended after the signal');
  }
  t.equal(d.judge('no-reset').status, 'fail');
  // Reconnects after the listener closed were refused: a clean rejection.
  const after = loadView(events).ops.filter((o) => o.startT >= S);
  t.ok(after.every((o) => o.outcome === 'refused'), `after the signal: ${after.map((o) => o.outcome).join(',')}`);
});

t.test('autocannon engine: a FIN before the response is a reset (socket hang up), never silently retried', async (t) => {
  const server = await httpFixture();
  t.teardown(() => server.close());
  const d = drive({ http: { connections: 2, path: '/hold', durationMs: 20_000 } }, server.port, { drain: true });
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  await server.waitHeld(2);
  await until(d.history, (ev) => eventsOf(ev, 'request:start').length >= 2);
  d.signal();
  server.stopListening();
  server.finAll();
  await until(d.history, (ev) => eventsOf(ev, 'request:end').filter((e) => e.outcome === 'reset').length >= 2);
  d.exit();
  const events = await d.finish();
  const resets = loadView(events).ops.filter((o) => o.outcome === 'reset');
  t.equal(resets.length, 2);
  t.ok(resets.every((o) => /socket hang up/.test(o.error ?? '')));
  t.equal(d.judge('drain').status, 'fail');
});

t.test('tracked engine (keepAlive off): ok, then reset and refused after the strike', async (t) => {
  const server = await httpFixture();
  t.teardown(() => server.close());
  const d = drive({ http: { connections: 2, path: '/hold', keepAlive: false, durationMs: 20_000 } }, server.port, { drain: true, newWorkRejected: true });
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  await server.waitHeld(2);
  // Answer the first two: ok; the lanes issue two more that are held.
  for (const h of server.held.splice(0)) h.res.writeHead(200).end('done');
  await server.waitHeld(2);
  await until(d.history, (ev) => eventsOf(ev, 'request:start').length >= 4);
  const S = d.signal();
  server.stopListening();
  server.resetAll();
  await until(d.history, (ev) => eventsOf(ev, 'request:end').filter((e) => e.outcome === 'reset').length >= 2);
  d.exit();
  const events = await d.finish();
  t.equal(eventsOf(events, 'load:started')[0]?.detail?.engine, 'tracked');
  const { ops } = loadView(events);
  t.equal(ops.filter((o) => o.outcome === 'ok').length, 2);
  t.equal(ops.filter((o) => o.outcome === 'reset' && o.startT < S).length, 2);
  const drain = d.judge('drain');
  t.equal(drain.status, 'fail');
  t.equal(drain.details?.length, 2);
});

t.test('tracked engine: timeout outcome', async (t) => {
  const server = await httpFixture();
  t.teardown(() => server.close());
  const d = drive({ http: { connections: 1, amount: 1, path: '/hold', engine: 'tracked', timeoutMs: 150 } }, server.port);
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  await d.driver.done;
  const events = await d.finish();
  const { ops } = loadView(events);
  t.equal(ops.length, 1);
  t.equal(ops[0]!.outcome, 'timeout');
  t.ok(ops[0]!.endT! - ops[0]!.startT >= 150);
});

t.test('the event cap folds fast operations into load:summary and loses none', async (t) => {
  const server = await httpFixture();
  t.teardown(() => server.close());
  const d = drive({ http: { connections: 4, amount: 4000, path: '/ok' } }, server.port, {}, (spec, ctx) =>
    new WorkerLoad('http', spec.load[0]!, ctx, { limits: { detailFirst: 100, holdMs: 20 } }));
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  await d.driver.done;
  const events = await d.finish();
  const { ops, summaries } = loadView(events);
  const folded = summaries.reduce((n, s) => n + s.ops, 0);
  t.ok(folded > 0, `some operations were folded (${folded})`);
  t.ok(ops.length >= 100, `the first 100 are detailed (${ops.length})`);
  t.equal(ops.length + folded, 4000, 'detailed + folded = every request');
  t.equal(ops.filter((o) => o.outcome !== 'ok').length, 0);
  const stopped = eventsOf(events, 'load:stopped')[0];
  t.equal((stopped?.stats as Record<string, unknown>).ended, 4000);
  // The load thread's CPU while the load ran (thread-cpu.ts): it drove 4000 requests, so it was busy.
  const thread = (stopped?.stats as { thread?: { cpuMs: number; wallMs: number } }).thread;
  t.ok(thread && thread.cpuMs > 0 && thread.cpuMs <= thread.wallMs + 5, `the load thread's CPU time: ${JSON.stringify(thread)}`);
  t.ok(eventsOf(events, 'load:progress').length > 0, 'live counters');
});

t.test('the run aborting stops the load at once', async (t) => {
  const server = await httpFixture();
  t.teardown(() => server.close());
  const d = drive({ http: { connections: 2, path: '/hold', durationMs: 60_000 } }, server.port);
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  await server.waitHeld(2);
  d.abort.abort();
  await d.driver.done;
  await until(d.history, (ev) => eventsOf(ev, 'load:stopped').length === 1);
  const { ops } = loadView(d.history.events());
  t.equal(ops.filter((o) => o.outcome === 'unfinished').length, 2, 'requests cut by the harness stay unfinished, not reset');
});

t.test('no port: LOAD_FAILED names the missing {port}', async (t) => {
  const d = drive({ probe: {} }, undefined as unknown as number);
  await t.rejects(d.driver.start(), { code: 'LOAD_FAILED', message: /no port.*\{port\}/ });
  const h = drive({ http: {} }, undefined as unknown as number);
  await t.rejects(h.driver.start(), { code: 'LOAD_FAILED', message: /no port.*\{port\}/ });
  await h.driver.stop();
});

t.test('keep-alive pools are on the timeline: one conn:open per pooled socket, every request on one of them', async (t) => {
  const { buildTimeline } = await import('../../harness/report/html/timeline.js');
  for (const engine of ['autocannon', 'tracked'] as const) {
    const server = await httpFixture();
    const d = drive({ http: { engine, connections: 4, amount: 40, path: '/ok' } }, server.port);
    await d.driver.start();
    await d.driver.done;
    const events = await d.finish();
    await server.close();
    const opens = eventsOf(events, 'conn:open');
    t.equal(opens.length, 4, `${engine}: 4 pooled connections opened`);
    t.equal(new Set(opens.map((o) => o.localPort)).size, 4, `${engine}: each with its own client port`);
    t.ok(opens.every((o) => typeof o.localPort === 'number' && o.localPort > 0));
    const { ops } = loadView(events);
    t.equal(ops.length, 40);
    const conns = new Set(opens.map((o) => o.conn));
    t.ok(ops.every((o) => o.outcome === 'ok' && conns.has(o.conn!) && o.acceptedT !== undefined && o.firstByteT !== undefined && o.firstByteT <= o.endT!), `${engine}: every request ok on a pooled connection, with its phases`);
    t.equal(Math.max(...buildTimeline(events).series.open), 4, `${engine}: the open-connections line reaches 4`);
  }
});
