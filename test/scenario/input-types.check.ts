// Type-checked by test/scenario/reference.test.ts: the generated input types accept
// exactly what the zod schema accepts as input, in both directions.
import type { z } from 'zod';
import type * as G from '../../harness/scenario/input-types.js';
import type { ExpectSchema, LoadSchema, ReadySchema, RequiresSchema, RunSpecSchema, ServiceSchema, StrikeSchema, TargetSchema, TriggerSchema } from '../../harness/scenario/schema.js';

type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Mutually assignable and with the same keys (an optional field missing on one side is a difference).
type Same<A, B> = Mutual<A, B> extends true ? Mutual<keyof A, keyof B> : false;
// platformExpansion is written by the harness into spec.json, not by users (not in the input types).
type Scenario = Omit<z.input<typeof RunSpecSchema>, 'platformExpansion'> & { matrix?: Record<string, G.MatrixValue[]> };
// The scenario's fields that a .scenario.ts file may give as functions are compared as values.
type Plain<T> = { [K in keyof T]: Exclude<T[K], (params: G.Params) => unknown> };

export const same: {
  target: Same<G.TargetInput, z.input<typeof TargetSchema>>;
  ready: Same<G.ReadyInput, z.input<typeof ReadySchema>>;
  service: Same<G.ServiceInput, z.input<typeof ServiceSchema>>;
  load: Same<G.LoadInput, z.input<typeof LoadSchema>>;
  strike: Same<G.StrikeInput, z.input<typeof StrikeSchema>>;
  trigger: Same<G.TriggerInput, z.input<typeof TriggerSchema>>;
  expect: Same<G.ExpectInput, z.input<typeof ExpectSchema>>;
  requires: Same<G.RequiresInput, z.input<typeof RequiresSchema>>;
  scenario: Same<Plain<G.ScenarioInput>, Scenario>;
} = { target: true, ready: true, service: true, load: true, strike: true, trigger: true, expect: true, requires: true, scenario: true };

// defineScenario checks a literal against ScenarioInput: a misspelt field is an error (a generic
// signature would infer the literal's own type and accept it).
import { defineScenario } from '../../harness/scenario/define.js';
// @ts-expect-error `nope` is not a target field
defineScenario({ name: 'typo', target: { command: 'node', nope: 1 } });
