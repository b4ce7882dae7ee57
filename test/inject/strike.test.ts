// planSteps (inject/strike.ts): the signal plan as the scenario writes it (one signal, a list of
// signals and steps) becomes steps with their delay and delivery; the schema refuses a signal the
// harness does not send, naming the field.
import t from 'tap';
import { planSteps } from '../../harness/inject/strike.js';
import { StrikeSchema } from '../../harness/scenario/schema.js';

const strike = (input: Record<string, unknown>) => StrikeSchema.parse({ at: { afterReadyMs: 0 }, ...input });

t.test('one signal: one step, at once, the strike\'s delivery', async (t) => {
  t.same(planSteps(strike({ signal: 'SIGTERM' })), [{ signal: 'SIGTERM', afterMs: 0, deliver: 'process' }]);
  t.same(planSteps(strike({ signal: 'SIGINT', deliver: 'group' })), [{ signal: 'SIGINT', afterMs: 0, deliver: 'group' }]);
});

t.test('a list: names and steps mixed, each step\'s own delivery or the strike\'s', async (t) => {
  t.same(planSteps(strike({ signal: ['SIGINT', { signal: 'SIGINT', afterMs: 300 }, { signal: 'SIGCONT', deliver: 'tree' }], deliver: 'group' })), [
    { signal: 'SIGINT', afterMs: 0, deliver: 'group' },
    { signal: 'SIGINT', afterMs: 300, deliver: 'group' },
    { signal: 'SIGCONT', afterMs: 0, deliver: 'tree' },
  ]);
});

t.test('a signal the harness does not send, or an empty list, is refused with its field', async (t) => {
  const bad = StrikeSchema.safeParse({ at: { afterReadyMs: 0 }, signal: ['SIGINT', { signal: 'SIGSTOP' }] });
  t.equal(bad.success, false);
  t.match(bad.error?.issues.map((i) => i.path.join('.')), ['signal']);
  t.match(JSON.stringify(bad.error?.issues), /SIGSTOP|SIGTERM/);
  t.equal(StrikeSchema.safeParse({ at: { afterReadyMs: 0 }, signal: [] }).success, false);
  t.equal(StrikeSchema.safeParse({ at: { afterReadyMs: 0 }, signal: 'sigterm' }).success, false, 'names are exact');
});
