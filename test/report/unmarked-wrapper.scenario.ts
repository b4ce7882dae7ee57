// The seed wrapper scenarios without their known-failure marks (expect.fails): their broken
// variants are then unexpected failures, as a user's own bug would be, so the reporters show a
// failure (console Failures section, JUnit <failure>, the summary's failure row) with its headline.
// It sits two folders below the root, as the seed file does, because the seed resolves its targets
// relative to the scenario file ({dir}/../../targets).
import type { ScenarioInput } from '../../harness/index.js';
import seed from '../../scenarios/seed/wrapper.scenario.js';

type Expect = ScenarioInput['expect'];
const unmark = (e: Expect): Expect => {
  if (typeof e === 'function') return (params) => unmark((e as (p: typeof params) => Expect)(params));
  if (!e) return e;
  const { fails: _fails, ...rest } = e as Record<string, unknown>;
  return rest as Expect;
};

export default (seed as ScenarioInput[]).map((s) => ({ ...s, expect: unmark(s.expect) }));
