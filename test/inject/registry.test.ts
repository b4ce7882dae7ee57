// The trigger registry (scenario/triggers/index.ts): the schema's trigger union is the list's
// schemas, in the list's order, and each kind says where it is armed (its texts through
// describeTrigger: triggers.test.ts).
import t from 'tap';
import { TriggerSchema } from '../../harness/scenario/schema.js';
import { triggerKinds } from '../../harness/scenario/triggers/index.js';

t.test('the trigger union derives from the registry', async (t) => {
  t.same(TriggerSchema.options, triggerKinds.map((k) => k.schema));
  t.equal(new Set(triggerKinds.map((k) => k.key)).size, triggerKinds.length, 'keys are unique');
  for (const k of triggerKinds) t.ok(k.key in (k.schema as unknown as { shape: object }).shape, `${k.key} is a field of its own schema`);
});

t.test('count triggers are armed on the strike thread, the others on the main thread', async (t) => {
  t.same(Object.fromEntries(triggerKinds.map((k) => [k.key, k.arm.on])), {
    afterReadyMs: 'main', afterSpawnMs: 'main', onLog: 'main', onFile: 'main', randomInMs: 'main',
    afterResponses: 'strike', inFlightAtLeast: 'strike', wsAllConnected: 'strike', sweep: 'suite',
  });
});
