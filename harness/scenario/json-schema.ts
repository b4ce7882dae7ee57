import { z } from 'zod';
import { RunSpecSchema, ScenarioShapeSchema } from './schema.js';

// The JSON Schema of one scenario as written (defaults optional), with the descriptions of
// schema.ts as they are: the source of the README reference and the TypeScript input types.
export function scenarioInputJsonSchema(): Record<string, unknown> {
  // platformExpansion is written by the harness into spec.json, never by the user.
  const scenario = RunSpecSchema.omit({ platformExpansion: true }).extend({ matrix: ScenarioShapeSchema.shape.matrix });
  return z.toJSONSchema(scenario, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
}

// The JSON Schema of a YAML/JSON scenario file (one scenario or a list), generated from the zod
// model so editors complete, check and explain *.scenario.yaml files: each description ends with
// the field's default, taken from the schema's own `default`. A list refers to the one scenario.
export function scenarioJsonSchema(): Record<string, unknown> {
  const { $schema, ...scenario } = withDefaultsInDescriptions(scenarioInputJsonSchema());
  return {
    $schema, $id: 'https://shutdown-drill.dev/scenario.schema.json', title: 'shutdown-drill scenario',
    anyOf: [scenario, { type: 'array', minItems: 1, items: { $ref: '#/anyOf/0' } }],
  };
}

// A deep copy in which every node with both a description and a default says the default.
function withDefaultsInDescriptions<T>(node: T): T {
  if (Array.isArray(node)) return node.map(withDefaultsInDescriptions) as T;
  if (!node || typeof node !== 'object') return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'default' || k === 'const' ? v : withDefaultsInDescriptions(v)]));
  if (typeof out['description'] === 'string' && 'default' in out) out['description'] = `${out['description']}. Default: ${JSON.stringify(out['default'])}.`;
  return out as T;
}
