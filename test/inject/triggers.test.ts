// wsAllConnected counts the clients of the load entries it names, and finds them by the same
// default driver names the run gives its drivers (load/name.ts loadName: `<kind>#<index>`).
// Guards: triggers.ts naming entries as the run does. Checked: with triggers.ts naming them off by
// one (`loadName(l, i + 1)`), the default-name case failed (it never fired).
import t from 'tap';
import { Clock } from '../../harness/clock.js';
import { History } from '../../harness/history/writer.js';
import { armTrigger, describeTrigger, seededRandom, type Fired } from '../../harness/inject/triggers.js';
import { loadName } from '../../harness/load/name.js';
import { TriggerSchema, type LoadSpec, type TriggerSpec } from '../../harness/scenario/schema.js';

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

t.test('describeTrigger names every kind of trigger', async (t) => {
  const d = (at: Record<string, unknown>): string => describeTrigger(TriggerSchema.parse(at));
  t.equal(d({ afterReadyMs: 500 }), '500ms after ready');
  t.equal(d({ afterSpawnMs: 20 }), '20ms after spawn');
  t.equal(d({ onLog: '^ready' }), 'on log /^ready/');
  t.equal(d({ onFile: '*.part' }), 'on file *.part');
  t.equal(d({ onFile: '*.part', minSize: 10 }), 'on file *.part >= 10 B');
  t.equal(d({ randomInMs: [100, 200] }), 'random in [100, 200] ms after ready');
  t.equal(d({ afterResponses: 40 }), 'after 40 responses');
  t.equal(d({ inFlightAtLeast: 10 }), 'while >= 10 in flight');
  t.equal(d({ wsAllConnected: true }), 'when all WebSocket clients are connected');
  t.equal(d({ sweep: { fromMs: 0, toMs: 100 } }), 'swept over +0..+100 ms after ready');
  t.equal(d({ sweep: { fromMs: 5, toMs: 9, anchor: { log: '^up' } } }), 'swept over +5..+9 ms after log /^up/');
});

t.test('seededRandom: the same seed draws the same number in [0, 1); the random trigger uses it', async (t) => {
  const draws = [1, 2, 3, 42, 2 ** 31].map(seededRandom);
  t.same(draws, [1, 2, 3, 42, 2 ** 31].map(seededRandom), 'replayable');
  t.ok(draws.every((x) => x >= 0 && x < 1), 'in [0, 1)');
  t.equal(new Set(draws).size, draws.length, 'different seeds, different draws');
  const ctx = { history: new History({ clock: new Clock() }), now: () => 0, spawnT: 10, readyT: 100, seed: 42, onLine: () => () => {}, cwd: process.cwd(), load, signal: new AbortController().signal };
  const fired = await armTrigger({ randomInMs: [200, 300] } as TriggerSpec, ctx);
  t.equal(fired.intendedT, 100 + 200 + seededRandom(42) * 100);
  t.match(fired.reason, /^seed 42 drew 2\d\d\.\d{3} ms$/);
  t.same(await armTrigger({ afterSpawnMs: 5 } as TriggerSpec, ctx), { trigger: '5ms after spawn', reason: 'delay', intendedT: 15 });
});

// Guards: inFlightAtLeast counting a request whose connection was still connecting (in flight
// means accepted). Checked: with the `e.connecting` branch of loadTrigger removed, it fired on the
// second request:start instead of at the conn:open.
t.test('inFlightAtLeast counts a request begun while connecting only once its connection is open', async (t) => {
  const history = new History({ clock: new Clock() });
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  let fired: Fired | undefined;
  void armTrigger({ inFlightAtLeast: 2, driver: 'http#0' } as TriggerSpec, {
    history, now: () => 0, spawnT: 0, readyT: 0, seed: 1, onLine: () => () => {}, cwd: process.cwd(), load, signal: abort.signal,
  }).then((f) => { fired = f; });
  const settle = (): Promise<unknown> => new Promise((resolve) => setImmediate(resolve));
  history.emit({ type: 'request:start', t: 1, driver: 'http#0', id: 'a' });
  history.emit({ type: 'request:start', t: 2, driver: 'http#0', id: 'b', conn: 's2', connecting: true });
  await settle();
  t.equal(fired, undefined, 'one accepted, one still connecting');
  history.emit({ type: 'conn:open', t: 3, driver: 'http#0', conn: 's2' });
  await settle();
  t.same(fired, { trigger: 'while >= 2 in flight', reason: '2 in flight', intendedT: 3, atT: 3, count: 2 });
});
