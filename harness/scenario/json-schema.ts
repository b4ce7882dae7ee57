import { z } from 'zod';
import { RunSpecSchema } from './schema.js';

// The JSON Schema of a YAML/JSON scenario file (one scenario or a list), generated from the zod
// model so editors complete and check *.scenario.yaml files.
export function scenarioJsonSchema(): Record<string, unknown> {
  const scenario = RunSpecSchema.extend({
    matrix: z.record(z.string(), z.array(z.unknown()).min(1)).optional().describe('Each key multiplies the runs; keys signal/at/deliver/escalate override the strike; {key} in strings is replaced'),
  });
  const file = z.union([scenario, z.array(scenario).min(1)]);
  const schema = z.toJSONSchema(file, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://shutdown-drill.dev/scenario.schema.json', title: 'shutdown-drill scenario' };
}
