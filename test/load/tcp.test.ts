import t from 'tap';
import { eventsOf } from '../../harness/history/events.js';
import { loadView } from '../../harness/history/ops.js';
import { drive, until } from '../fixtures/load/drive.js';
import { tcpFixture } from '../fixtures/load/servers.js';

const smtp = { greeting: '^220 ', script: [{ send: 'EHLO drill', expect: '^250 OK' }, { send: 'NOOP', expect: '^250' }], intervalMs: 5, durationMs: 20_000 };

t.test('an SMTP-like server that answers 421 and closes with a FIN: rejected, fin, no reset', async (t) => {
  const server = await tcpFixture();
  t.teardown(() => server.close());
  const d = drive({ tcp: { clients: 3, ...smtp } }, server.port, { noReset: true, newWorkRejected: { graceMs: 0 } });
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  await until(d.history, (ev) => eventsOf(ev, 'request:end').filter((e) => e.outcome === 'ok' && e.id.endsWith('.2')).length >= 3);
  const S = d.signal();
  server.drain();
  await until(d.history, (ev) => eventsOf(ev, 'conn:close').length >= 3);
  // The target "exits" only once 2 operations begun after the signal have ended (the clients'
  // reconnects, refused by the closed listener, or commands turned away): new-work-rejected
  // needs them, and when every client had a command in flight at the signal there were none yet.
  await until(d.history, (ev) => loadView(ev).ops.filter((o) => o.startT > S && o.endT !== undefined).length >= 2);
  d.exit();
  const events = await d.finish();
  const { ops } = loadView(events);
  const greetings = ops.filter((o) => o.op === 'connect' && o.outcome === 'ok');
  t.ok(greetings.length >= 3, 'each client was greeted');
  const ehlo = ops.find((o) => o.op === 'EHLO' && o.outcome === 'ok');
  t.ok(ehlo, 'the multi-line EHLO reply (250-hello / 250 OK) is one ok operation');
  const rejected = ops.filter((o) => o.outcome === 'rejected');
  t.ok(rejected.length >= 1 && rejected.every((o) => o.endT! >= S && /421 closing/.test(o.error ?? '')), 'commands answered after the signal got 421');
  const closes = eventsOf(events, 'conn:close');
  t.ok(closes.length >= 3 && closes.every((c) => c.how === 'fin'), closes.map((c) => c.how).join(','));
  t.equal(d.judge('no-reset').status, 'pass');
  const nwr = d.judge('new-work-rejected');
  t.equal(nwr.status, 'pass', nwr.message);
});

t.test('a server that resets its connections: reset outcomes and conn:close how=reset', async (t) => {
  const server = await tcpFixture();
  t.teardown(() => server.close());
  const d = drive({ tcp: { clients: 2, ...smtp } }, server.port, { noReset: true, drain: true });
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  await until(d.history, (ev) => eventsOf(ev, 'request:end').filter((e) => e.outcome === 'ok' && e.id.endsWith('.2')).length >= 2);
  server.silent = true;
  // Each client is blocked on its unanswered command: two lines received while silent.
  await server.waitLines(server.lines + 2);
  d.signal();
  server.resetAll();
  await until(d.history, (ev) => eventsOf(ev, 'conn:close').length >= 2);
  d.exit();
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([d.driver.done.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), 5_000)))]);
  clearTimeout(timer);
  const events = await d.finish();
  const closes = eventsOf(events, 'conn:close');
  t.ok(closes.length >= 2 && closes.every((c) => c.how === 'reset'), closes.map((c) => c.how).join(','));
  const resets = loadView(events).ops.filter((o) => o.outcome === 'reset');
  t.equal(resets.length, 2, 'the two commands in flight were reset');
  const nr = d.judge('no-reset');
  t.equal(nr.status, 'fail');
  t.equal((nr.actual as { connectionResets: number }).connectionResets, closes.length);
  t.equal(d.judge('drain').status, 'fail');
  // The exit winds the load down: it ends by itself (finish() did not have to stop it), and no
  // client connects again once it has. (Until the worker hears of the exit the clients retry the
  // closed port every intervalMs: how many refused connects that makes depends on the machine.)
  t.ok(ended, 'the load ended on the exit (within 5 s; its duration is 20 s)');
  const stopped = eventsOf(events, 'load:stopped')[0];
  t.ok(stopped, 'load:stopped recorded');
  t.same(loadView(events).ops.filter((o) => o.op === 'connect' && o.startT > stopped!.t).map((o) => o.id), [], 'no connect after the load stopped');
});

t.test('connect-and-hold without a script; refused after the listener closes', async (t) => {
  const server = await tcpFixture();
  const d = drive({ tcp: { clients: 2, greeting: '^220 ', intervalMs: 5, durationMs: 20_000 } }, server.port, { noReset: true });
  t.teardown(() => d.driver.stop());
  await d.driver.start();
  await until(d.history, (ev) => eventsOf(ev, 'conn:open').length >= 2);
  d.signal();
  await server.close();
  await until(d.history, (ev) => loadView(ev).ops.some((o) => o.outcome === 'refused'));
  d.exit();
  const events = await d.finish();
  const closes = eventsOf(events, 'conn:close');
  t.equal(closes.length, 2);
  t.ok(closes.every((c) => c.how === 'fin' || c.how === 'reset'), 'the server closed them');
  t.ok(loadView(events).ops.some((o) => o.op === 'connect' && o.outcome === 'refused'), 'reconnects are refused');
});
