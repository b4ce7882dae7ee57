import type { ScenarioInput } from './schema.js';

// Declares a scenario with editor completion, each field's documentation on hover and an error on
// a misspelt field; returns it unchanged. (Not generic: a type parameter would infer the literal's
// own type, which carries neither the TSDoc nor excess-property checks.) A scenario file
// default-exports one scenario or an array of them.
export function defineScenario(scenario: ScenarioInput): ScenarioInput {
  return scenario;
}
