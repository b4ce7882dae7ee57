import t from 'tap';
import { eventsOf } from '../../harness/history/events.js';
import { loadView } from '../../harness/history/ops.js';
import { drive, liveEvents, until } from '../fixtures/load/drive.js';
import { wsFixture } from '../fixtures/load/servers.js';

const expect = { wsCloseCodes: { codes: [1001] }, wsGoodbye: { pattern: 'goodbye' }, drain: true };

t.test('a server that closes with 1001 after a goodbye passes ws-close-codes and ws-goodbye', async (t) => {
  const server = await wsFixture();
  t.teardown(() => server.close());
  const d = drive({ ws: { clients: 5, messagesPerSecond: 50, durationMs: 20_000 } }, server.port, expect);
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  t.equal(eventsOf(liveEvents(d.history), 'ws:open').length, 5, 'start() resolves with every client connected');
  await until(d.history, (ev) => eventsOf(ev, 'request:end').filter((e) => e.outcome === 'ok').length >= 10);
  // Hold the acks so messages are in flight at the signal; then release by acking nothing more.
  server.holdAcks = true;
  const received = server.received;
  await server.waitReceived(received + 3);
  const S = d.signal();
  server.shutdown('close-1001');
  await d.driver.done;
  d.exit();
  const events = await d.finish();
  const closes = eventsOf(events, 'ws:close');
  t.equal(closes.length, 5);
  t.ok(closes.every((c) => c.code === 1001 && c.reason === 'server shutting down' && !c.byClient));
  t.equal(d.judge('ws-close-codes').status, 'pass');
  const bye = d.judge('ws-goodbye');
  t.equal(bye.status, 'pass', bye.message);
  // Messages sent and never acked were cut by the close: `closed`, and drain lists them.
  const closed = loadView(events).ops.filter((o) => o.outcome === 'closed');
  t.ok(closed.length >= 3, `unacked messages are closed (${closed.length})`);
  t.ok(closed.every((o) => /before the ack/.test(o.error ?? '')));
  const drain = d.judge('drain');
  t.equal(drain.status, 'fail');
  t.equal((drain.details as unknown[]).length, closed.filter((o) => o.startT < S).length, 'drain lists the unacked messages sent before the signal');
});

t.test('a server that terminate()s fails ws-close-codes with every 1006 listed', async (t) => {
  const server = await wsFixture();
  t.teardown(() => server.close());
  const d = drive({ ws: { clients: 4, durationMs: 20_000 } }, server.port, expect);
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  await server.waitClients(4);
  d.signal();
  server.shutdown('terminate');
  await d.driver.done;
  d.exit();
  await d.finish();
  const r = d.judge('ws-close-codes');
  t.equal(r.status, 'fail');
  t.same(r.actual, { clients: 4, codes: { 1006: 4 } });
  t.equal(r.details?.length, 4);
  t.ok((r.details as Array<Record<string, unknown>>).every((x) => x.code === 1006 && x.problem === 'abnormal closure: no close frame' && (x.offsetMs as number) >= 0));
  t.equal(d.judge('ws-goodbye').status, 'fail');
  // Connect-and-hold: no operation, so drain has no evidence.
  t.equal(d.judge('drain').status, 'error');
});

t.test('clients the server never closes are listed as closed by the harness', async (t) => {
  const server = await wsFixture();
  t.teardown(() => server.close());
  const d = drive({ ws: { clients: 2, durationMs: 20_000 } }, server.port, expect);
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  d.signal();
  const events = await d.finish();
  const closes = eventsOf(events, 'ws:close');
  t.equal(closes.length, 2);
  t.ok(closes.every((c) => c.byClient));
  const r = d.judge('ws-close-codes');
  t.equal(r.status, 'fail');
  t.same(r.actual, { clients: 2, codes: { 'closed by the harness': 2 } });
});

t.test('no client can connect: start() rejects with LOAD_FAILED', async (t) => {
  const server = await wsFixture();
  const port = server.port;
  await server.close();
  const d = drive({ ws: { clients: 2, connectTimeoutMs: 1_000 } }, port, expect);
  t.teardown(() => d.driver.stop());
  await t.rejects(d.driver.start(), { code: 'LOAD_FAILED', message: /none of the 2 WebSocket clients could connect.*ECONNREFUSED/ });
  await d.driver.stop();
  t.equal(d.judge('ws-close-codes').status, 'error', 'no client ever connected: no evidence');
});
