// wsAllConnected counts the clients of the load entries it names, and finds them by the same
// default driver names the run gives its drivers (load/name.ts loadName: `<kind>#<index>`).
// Guards: triggers.ts naming entries as the run does. Checked: with triggers.ts naming them off by
// one (`loadName(l, i + 1)`), the default-name case failed (it never fired).
import t from 'tap';
import { Clock } from '../../harness/clock.js';
import { History } from '../../harness/history/writer.js';
import { armTrigger, type Fired } from '../../harness/inject/triggers.js';
import { loadName } from '../../harness/load/name.js';
import type { LoadSpec, TriggerSpec } from '../../harness/scenario/schema.js';

const load = [
  { http: { connections: 1 } },
  { ws: { clients: 2 } },
  { browser: { name: 'pages', pages: 1 } },
] as unknown as LoadSpec[];

// Arms `spec` over a synthetic history, emits ws:open for `opens` (driver names), and says whether
// the trigger fired, and how.
async function fire(spec: TriggerSpec, opens: string[]): Promise<Fired | 'not fired'> {
  const history = new History({ clock: new Clock() });
  const abort = new AbortController();
  let fired: Fired | 'not fired' = 'not fired';
  const armed = armTrigger(spec, {
    history, now: () => 0, spawnT: 0, readyT: 0, seed: 1, onLine: () => () => {}, cwd: process.cwd(), load, signal: abort.signal,
  }).then((f) => { fired = f; });
  opens.forEach((driver, i) => history.emit({ type: 'ws:open', driver, client: `c${i}` }));
  // Listeners run synchronously and resolve at once: one turn of the event loop settles `armed`.
  await Promise.race([armed, new Promise((resolve) => setImmediate(resolve))]);
  abort.abort();
  return fired;
}

t.test('the default driver names are loadName\'s', async (t) => {
  t.same(load.map((l, i) => loadName(l, i).name), ['http#0', 'ws#1', 'pages']);
});

t.test('wsAllConnected on a default-named ws entry fires when its clients are open', async (t) => {
  const spec = { wsAllConnected: true, driver: 'ws#1', delayMs: 5 } as TriggerSpec;
  t.same(await fire(spec, ['ws#1']), 'not fired', 'one of two clients');
  const fired = await fire(spec, ['ws#1', 'ws#1']);
  t.match(fired, { reason: '2 clients connected' });
});

t.test('wsAllConnected on a named browser entry counts its pages', async (t) => {
  t.match(await fire({ wsAllConnected: true, driver: 'pages', delayMs: 0 } as TriggerSpec, ['pages']), { reason: '1 clients connected' });
});

t.test('wsAllConnected without a driver counts every ws and browser client', async (t) => {
  t.same(await fire({ wsAllConnected: true, delayMs: 0 } as TriggerSpec, ['ws#1', 'pages']), 'not fired', 'two of three');
  t.match(await fire({ wsAllConnected: true, delayMs: 0 } as TriggerSpec, ['ws#1', 'pages', 'ws#1']), { reason: '3 clients connected' });
});

t.test('a driver name that no entry has never fires', async (t) => {
  t.same(await fire({ wsAllConnected: true, driver: 'ws#0', delayMs: 0 } as TriggerSpec, ['ws#0', 'ws#0']), 'not fired');
});
