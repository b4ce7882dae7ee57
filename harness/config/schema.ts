import { z } from 'zod';
import { EscalateSchema, ExpectSchema } from '../scenario/schema.js';

// The suite config file (shutdown-drill.config.json | .ts): defaults for `run`, each one losing to
// the flag or the scenario field that says otherwise. Strict: an unknown key is an error naming it.

const noOrphans = z.union([z.boolean(), z.strictObject({ withinMs: z.number().int().min(0).max(60_000) })]);

export const ConfigSchema = z.strictObject({
  $schema: z.string().optional().describe('Editor hint only (a JSON Schema path or URL); ignored by the harness.'),
  out: z.string().min(1).optional().describe('Out dir of `run` when --out is not given, relative to the config file\'s folder (default reports/latest).'),
  concurrency: z.number().int().positive().optional().describe('Runs at once when --concurrency is not given (default 1).'),
  reporters: z.strictObject({
    junit: z.boolean().default(true).describe('Write junit.xml (default true).'),
    html: z.boolean().default(true).describe('Write index.html (default true).'),
    githubSummary: z.boolean().default(true).describe('Append the summary to $GITHUB_STEP_SUMMARY when it is set (default true).'),
  }).optional().describe('File reporters to write besides results.json (always written).'),
  escalate: z.union([EscalateSchema, z.literal(false)]).optional()
    .describe('Escalation for every strike that sets no `escalate` of its own (built-in default: SIGKILL after 10000 ms); false disables it.'),
  expect: z.strictObject({
    exit: ExpectSchema.shape.exit.describe('Accepted exit codes/signals for runs whose `expect` sets no `exit`.'),
    timeToExitMs: ExpectSchema.shape.timeToExitMs.describe('Time-to-exit budget for runs whose `expect` sets no `timeToExitMs`.'),
    noEscalation: ExpectSchema.shape.noEscalation.describe('Fail a run that needed the escalation, unless its `expect` says otherwise.'),
    noOrphans: noOrphans.optional().describe('`noOrphans` for runs whose `expect` sets none (built-in default: true).'),
  }).optional().describe('Budgets: expectations for every run that leaves these fields unset.'),
});

export type SuiteConfig = z.output<typeof ConfigSchema>;
// What a shutdown-drill.config.ts default-exports.
export type SuiteConfigInput = z.input<typeof ConfigSchema>;

// The scenario fields a config may fill (as `strike.escalate`, `expect.<key>`), when a run leaves them unset.
export const CONFIG_DEFAULTABLE = ['strike.escalate', 'expect.exit', 'expect.timeToExitMs', 'expect.noEscalation', 'expect.noOrphans'] as const;
export type ConfigDefaultable = (typeof CONFIG_DEFAULTABLE)[number];

// The CONFIG_DEFAULTABLE fields a resolved run (plain data, before defaults) leaves unset; a run
// without a strike has no escalation to fill.
export function unsetDefaultable(resolved: Record<string, unknown>): ConfigDefaultable[] {
  const own = (value: unknown, key: string): boolean => !!value && typeof value === 'object' && Object.hasOwn(value, key) && (value as Record<string, unknown>)[key] !== undefined;
  return CONFIG_DEFAULTABLE.filter((field) => {
    const [parent, key] = field.split('.') as [string, string];
    if (parent === 'strike') return !!resolved['strike'] && !own(resolved['strike'], key);
    return !own(resolved[parent], key);
  });
}
