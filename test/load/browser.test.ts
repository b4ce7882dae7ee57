import t from 'tap';
import { eventsOf } from '../../harness/history/events.js';
import { findChromium } from '../../harness/load/browser-find.js';
import { loadView } from '../../harness/history/ops.js';
import { drive, until } from '../fixtures/load/drive.js';
import { httpFixture, wsFixture } from '../fixtures/load/servers.js';

const expect = { wsCloseCodes: { codes: [1001] }, wsGoodbye: { pattern: 'goodbye' } };

t.test('a Chromium page sees the server close with 1001 (and its goodbye)', async (t) => {
  const server = await wsFixture();
  t.teardown(() => server.close());
  const d = drive({ browser: { pages: 2, mode: 'ws', path: '/chat', messagesPerSecond: 50, durationMs: 20_000 } }, server.port, expect);
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  await server.waitClients(2);
  await until(d.history, (ev) => eventsOf(ev, 'request:end').filter((e) => e.outcome === 'ok').length >= 4);
  const S = d.signal();
  server.shutdown('close-1001');
  await d.driver.done;
  d.exit();
  const events = await d.finish();
  const closes = eventsOf(events, 'ws:close');
  t.same(closes.map((c) => [c.client, c.code, c.reason, c.byClient]).sort(), [['p0', 1001, 'server shutting down', false], ['p1', 1001, 'server shutting down', false]]);
  t.ok(closes.every((c) => c.t >= S), 'closes are stamped after the signal on the run clock');
  const r = d.judge('ws-close-codes');
  t.equal(r.status, 'pass', r.message);
  t.equal(d.judge('ws-goodbye').status, 'pass');
  const { ops } = loadView(events);
  t.ok(ops.filter((o) => o.outcome === 'ok').length >= 4, 'acked messages are ok operations');
  t.ok(ops.every((o) => o.endT === undefined || o.endT >= o.startT));
});

t.test('a page served by the target: its own WebSocket is watched; terminate() is 1006', async (t) => {
  const server = await wsFixture();
  t.teardown(() => server.close());
  const d = drive({ browser: { pages: 1, page: '/page.html', durationMs: 20_000 } }, server.port, expect);
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  await server.waitReceived(1);
  await until(d.history, (ev) => eventsOf(ev, 'ws:message').length >= 1);
  d.signal();
  server.shutdown('terminate');
  await d.driver.done;
  d.exit();
  const events = await d.finish();
  t.same(eventsOf(events, 'ws:message').map((m) => [m.client, m.data]), [['p0.ws1', '{"ack":1}']]);
  const r = d.judge('ws-close-codes');
  t.equal(r.status, 'fail');
  t.same(r.actual, { clients: 1, codes: { 1006: 1 } });
});

t.test('fetch loop in a page: ok answers, then closed (the browser hides refused vs reset)', async (t) => {
  const server = await httpFixture();
  t.teardown(() => server.close());
  const d = drive({ browser: { pages: 1, mode: 'fetch', path: '/ok', messagesPerSecond: 50, durationMs: 20_000 } }, server.port, { drain: true });
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  await until(d.history, (ev) => eventsOf(ev, 'request:end').filter((e) => e.outcome === 'ok' && e.status === 200).length >= 3);
  const S = d.signal();
  server.stopListening();
  for (const s of server.sockets) s.destroy();
  await until(d.history, (ev) => eventsOf(ev, 'request:end').some((e) => e.outcome === 'closed'));
  d.exit();
  await d.driver.done;
  const events = await d.finish();
  const failed = loadView(events).ops.filter((o) => o.outcome === 'closed');
  t.ok(failed.length >= 1 && failed.every((o) => o.endT! >= S && /fetch failed/.test(o.error ?? '')));
});

t.test('no browser: LOAD_FAILED says what to install', async (t) => {
  t.throws(() => findChromium(undefined, { SHUTDOWN_DRILL_CHROMIUM: '/nonexistent/chrome' }), { code: 'LOAD_FAILED', message: /SHUTDOWN_DRILL_CHROMIUM=\/nonexistent\/chrome is not an executable/ });
  const found = findChromium('/nonexistent/playwright/chrome', {});
  t.ok(found.path, `a browser is found on this machine: ${found.path}`);
});
