// The trigger registry (scenario/triggers/index.ts): the schema's trigger union is the list's
// schemas, in the list's order, and every kind is found by its key for its text and its arming.
import t from 'tap';
import { describeTrigger } from '../../harness/inject/triggers.js';
import { TriggerSchema, type TriggerSpec } from '../../harness/scenario/schema.js';
import { triggerKinds } from '../../harness/scenario/triggers/index.js';

t.test('the trigger union derives from the registry', async (t) => {
  t.same(TriggerSchema.options, triggerKinds.map((k) => k.schema));
  t.equal(new Set(triggerKinds.map((k) => k.key)).size, triggerKinds.length, 'keys are unique');
  for (const k of triggerKinds) t.ok(k.key in (k.schema as unknown as { shape: object }).shape, `${k.key} is a field of its own schema`);
});

t.test('every kind describes itself through describeTrigger', async (t) => {
  const text = (input: unknown): string => describeTrigger(TriggerSchema.parse(input) as TriggerSpec);
  t.equal(text({ afterReadyMs: 500 }), '500ms after ready');
  t.equal(text({ afterSpawnMs: 20 }), '20ms after spawn');
  t.equal(text({ onLog: 'listening' }), 'on log /listening/');
  t.equal(text({ onFile: 'out/*.part', minSize: 10 }), 'on file out/*.part >= 10 B');
  t.equal(text({ randomInMs: [10, 20] }), 'random in [10, 20] ms after ready');
  t.equal(text({ afterResponses: 30 }), 'after 30 responses');
  t.equal(text({ inFlightAtLeast: 5 }), 'while >= 5 in flight');
  t.equal(text({ wsAllConnected: true }), 'when all WebSocket clients are connected');
  t.equal(text({ sweep: { fromMs: 0, toMs: 100 } }), 'swept over +0..+100 ms after ready');
  t.equal(triggerKinds.length, 9, 'each kind above');
});

t.test('count triggers are armed on the strike thread, the others on the main thread', async (t) => {
  t.same(Object.fromEntries(triggerKinds.map((k) => [k.key, k.arm.on])), {
    afterReadyMs: 'main', afterSpawnMs: 'main', onLog: 'main', onFile: 'main', randomInMs: 'main',
    afterResponses: 'strike', inFlightAtLeast: 'strike', wsAllConnected: 'strike', sweep: 'suite',
  });
});
