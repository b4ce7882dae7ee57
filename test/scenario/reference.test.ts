// Every scenario field documented once, in schema.ts: each property has a description, the JSON
// Schema carries it (with the default), the README reference and the generated input types are
// current, and the generated types accept exactly what the zod schema accepts.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { fill, PLACEHOLDERS } from '../../harness/run/placeholders.js';
import { staleFiles } from '../../harness/scenario/docs-main.js';
import { scenarioInputJsonSchema, scenarioJsonSchema } from '../../harness/scenario/json-schema.js';
import { optionRows, README_END, README_START, readmeWithReference, undocumentedOptions } from '../../harness/scenario/reference.js';
import { RunSpecSchema, ScenarioShapeSchema, TriggerSchema } from '../../harness/scenario/schema.js';
import { ROOT, tempDir } from '../helpers/cli.js';

const toJson = (s: z.ZodType): Record<string, unknown> => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

t.test('every property of the scenario schema has a description', async (t) => {
  t.same(undocumentedOptions(), [], 'add .describe(\'...\') to each field listed (harness/scenario/schema.ts), then `npm run docs`');
  t.ok(optionRows().length > 150, `${optionRows().length} options walked`);
});

t.test('a field added without a description is reported, at any depth', async (t) => {
  // At the top, nested in an object, and inside a union variant (a new trigger).
  const grown = RunSpecSchema.extend({
    platform: z.enum(['docker-stop', 'kubernetes']).optional(),
    strike: RunSpecSchema.shape.strike.unwrap().extend({
      at: z.union([...TriggerSchema.options, z.strictObject({ sweep: z.strictObject({ fromMs: z.number().describe('From') , toMs: z.number() }).describe('Sweep') })]),
    }).optional().describe('Strike'),
  });
  t.same(undocumentedOptions(toJson(grown)), ['strike.at', 'strike.at.sweep.toMs', 'platform']);
});

t.test('every field a scenario file may hold is in the editor schema', async (t) => {
  const props = Object.keys((scenarioInputJsonSchema()['properties'] ?? {}) as Record<string, unknown>);
  t.same(Object.keys(ScenarioShapeSchema.shape).filter((k) => !props.includes(k)), []);
});

t.test('the published JSON Schema says each description and default', async (t) => {
  const schema = scenarioJsonSchema() as { anyOf: [{ properties: Record<string, { description: string; properties: Record<string, { description: string; anyOf?: unknown }> }> }, { items: { $ref: string } }] };
  const scenario = schema.anyOf[0].properties;
  t.equal(scenario['strike']!.properties['escalate']!.description.endsWith('. Default: {"afterMs":10000,"signal":"SIGKILL"}.'), true, scenario['strike']!.properties['escalate']!.description);
  t.equal(scenario['timeoutMs']!.description, 'Budget in ms for the whole run; over it the target is killed and the run is an `error` (RUN_TIMEOUT). Default: 60000.');
  t.equal(scenario['strike']!.description, 'When and how to signal the target; unset: the target is expected to exit by itself', 'no default, nothing appended');
  t.equal(schema.anyOf[1].items.$ref, '#/anyOf/0', 'a list of scenarios refers to the one scenario');
  // The raw schema (README, types) keeps the description without the default.
  const raw = scenarioInputJsonSchema() as { properties: Record<string, { description: string }> };
  t.equal(raw.properties['timeoutMs']!.description, 'Budget in ms for the whole run; over it the target is killed and the run is an `error` (RUN_TIMEOUT)');
});

t.test('the README reference and the input types are current', async (t) => {
  t.same(staleFiles(), [], 'run `npm run docs` and commit the result');
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  t.match(readme, /\| `load\[\]\.http\.timeoutMs` \| number \| `10000` \| A request without a response/);
  t.match(readme, /\| `\{python\}` \| `python3`, looked up on the target's PATH/);
});

t.test('a stale README or input-types file is reported', async (t) => {
  const root = tempDir();
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.mkdirSync(path.join(root, 'harness/scenario'), { recursive: true });
  const current = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  fs.writeFileSync(path.join(root, 'README.md'), current.replace('| `timeoutMs` | number | `60000` |', '| `timeoutMs` | number | `30000` |'));
  fs.copyFileSync(path.join(ROOT, 'harness/scenario/input-types.ts'), path.join(root, 'harness/scenario/input-types.ts'));
  t.same(staleFiles(root), ['README.md']);
  fs.writeFileSync(path.join(root, 'README.md'), current);
  fs.appendFileSync(path.join(root, 'harness/scenario/input-types.ts'), '// edited by hand\n');
  t.same(staleFiles(root), [path.join('harness', 'scenario', 'input-types.ts')]);
  t.throws(() => readmeWithReference('# no markers\n'), { message: `README.md: expected one generated section between "${README_START}" and "${README_END}"` });
});

t.test('the generated input types accept exactly the schema\'s input (tsc)', async (t) => {
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck', '--types', 'node', path.join(ROOT, 'test/scenario/input-types.check.ts')], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, r.stdout + r.stderr);
});

t.test('each documented placeholder is filled, and only those', async (t) => {
  const vars = Object.fromEntries(Object.keys(PLACEHOLDERS).map((k) => [k === 'port.<service>' ? 'port.db' : k, `<${k}>`]));
  const text = Object.keys(PLACEHOLDERS).map((k) => `{${k === 'port.<service>' ? 'port.db' : k}}`).join(' ');
  t.equal(fill(`${text} {nope} {"seq":1}`, vars), `${Object.keys(PLACEHOLDERS).map((k) => `<${k}>`).join(' ')} {nope} {"seq":1}`);
  t.same(Object.keys(PLACEHOLDERS), ['port', 'port.<service>', 'tmp', 'dir', 'node', 'python', 'cwd', 'out', 'seed']);
});
