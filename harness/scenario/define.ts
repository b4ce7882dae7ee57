import type { ScenarioInput } from './schema.js';

// Declares a scenario with editor completion; returns it unchanged. A scenario file default-exports
// one scenario or an array of them.
export function defineScenario<const T extends ScenarioInput>(scenario: T): T {
  return scenario;
}
