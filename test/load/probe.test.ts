import t from 'tap';
import { eventsOf } from '../../harness/history/events.js';
import { drive, until } from '../fixtures/load/drive.js';
import { httpFixture } from '../fixtures/load/servers.js';

const probe = { probe: { path: '/health', everyMs: 10, durationMs: 20_000 } };

t.test('a health endpoint that turns 503 after the signal passes readiness-flip', async (t) => {
  const server = await httpFixture();
  t.teardown(() => server.close());
  const d = drive(probe, server.port, { readinessFlip: { withinMs: 5_000 } });
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  t.equal(eventsOf(d.history.events(), 'probe:status')[0]?.status, 200, 'start() resolves after the first answer');
  const S = d.signal();
  server.health = 503;
  await until(d.history, (ev) => eventsOf(ev, 'probe:status').some((p) => p.status === 503));
  server.stopListening();
  for (const s of server.sockets) s.destroy();
  await until(d.history, (ev) => eventsOf(ev, 'probe:status').some((p) => p.error === 'ECONNREFUSED'));
  d.exit();
  const events = await d.finish();
  const r = d.judge('readiness-flip');
  t.equal(r.status, 'pass', r.message);
  const a = r.actual as { notReadyAfterMs: number; listenerClosedAfterMs: number; status: number };
  t.equal(a.status, 503);
  t.ok(a.notReadyAfterMs >= 0 && a.notReadyAfterMs < a.listenerClosedAfterMs);
  const statuses = eventsOf(events, 'probe:status');
  t.ok(statuses.every((p) => p.url === `http://127.0.0.1:${server.port}/health` && p.ms >= 0));
  t.ok(statuses.filter((p) => p.t >= S).length >= 2);
  t.equal(eventsOf(events, 'load:stopped').length, 1);
});

t.test('a health endpoint that never turns 503 fails readiness-flip (the listener closed first)', async (t) => {
  const server = await httpFixture();
  t.teardown(() => server.close());
  const d = drive(probe, server.port, { readinessFlip: { withinMs: 5_000 } });
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  const S = d.signal();
  await until(d.history, (ev) => eventsOf(ev, 'probe:status').some((p) => p.t > S && p.status === 200));
  server.stopListening();
  for (const s of server.sockets) s.destroy();
  await until(d.history, (ev) => eventsOf(ev, 'probe:status').some((p) => p.error === 'ECONNREFUSED'));
  d.exit();
  await d.finish();
  const r = d.judge('readiness-flip');
  t.equal(r.status, 'fail');
  t.match(r.message, /never answered not-ready: the listener closed/);
});

t.test('a flip later than withinMs fails', async (t) => {
  const server = await httpFixture();
  t.teardown(() => server.close());
  const d = drive(probe, server.port, { readinessFlip: { withinMs: 0 } });
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  const S = d.signal();
  await until(d.history, (ev) => eventsOf(ev, 'probe:status').some((p) => p.t > S && p.status === 200));
  server.health = 503;
  await until(d.history, (ev) => eventsOf(ev, 'probe:status').some((p) => p.status === 503));
  d.exit();
  await d.finish();
  const r = d.judge('readiness-flip');
  t.equal(r.status, 'fail');
  t.match(r.message, /later than 0 ms/);
});

t.test('no evidence: no signal; never ready before the signal', async (t) => {
  const server = await httpFixture();
  t.teardown(() => server.close());
  server.health = 500;
  const d = drive(probe, server.port, { readinessFlip: { withinMs: 100 } });
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  t.equal(d.judge('readiness-flip').status, 'error', 'no signal');
  d.signal();
  d.exit();
  await d.finish();
  const r = d.judge('readiness-flip');
  t.equal(r.status, 'error');
  t.match(r.message, /never answered 2xx before SIGTERM/);
});
