// Every scenario field documented once, in schema.ts: each property has a description, the JSON
// Schema carries it (with the default), the README reference and the generated input types are
// current, and the generated types accept exactly what the zod schema accepts.
import t from 'tap';
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
  t.match(readme, /\| `load\[\]\.http\.timeoutMs` \| number \| `10000` \| Idle timeout in ms: a request with no byte sent or received/);
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

// One TypeScript program for both: the type check of input-types.check.ts and an editor's hover.
t.test('the generated input types accept exactly the schema\'s input, and an editor shows each field\'s description and default inside defineScenario', async (t) => {
  const ts = (await import('typescript')).default;
  const check = path.join(ROOT, 'test/scenario/input-types.check.ts');
  const file = path.join(ROOT, 'test/scenario/hover.fixture.ts');
  const src = "import { defineScenario } from '../../harness/index.js';\nexport default defineScenario({ name: 'h', target: { command: 'node', ready: { timeoutMs: 5 } }, strike: () => ({ at: { afterReadyMs: 1 }, signal: 'SIGTERM', escalate: { afterMs: 1 } }) });\n";
  const host: import('typescript').LanguageServiceHost = {
    getScriptFileNames: () => [check, file], getScriptVersion: () => '1', getCurrentDirectory: () => ROOT,
    getScriptSnapshot: (f) => (f === file ? ts.ScriptSnapshot.fromString(src) : fs.existsSync(f) ? ts.ScriptSnapshot.fromString(fs.readFileSync(f, 'utf8')) : undefined),
    getCompilationSettings: () => ({ module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, skipLibCheck: true, types: ['node'] }),
    getDefaultLibFileName: ts.getDefaultLibFilePath, fileExists: (f) => f === file || ts.sys.fileExists(f), readFile: (f) => (f === file ? src : ts.sys.readFile(f)),
  };
  const service = ts.createLanguageService(host);
  const problems = [check, file].flatMap((f) => service.getSemanticDiagnostics(f).map((d) => `${path.basename(f)}:${d.start}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`));
  t.same(problems, [], 'type errors: the generated types differ from the zod input types (run `npm run docs`), or defineScenario accepts a misspelt field');
  const hover = (word: string): string => {
    const q = service.getQuickInfoAtPosition(file, src.indexOf(word));
    return [ts.displayPartsToString(q?.documentation), ...(q?.tags ?? []).map((tag) => `@${tag.name} ${ts.displayPartsToString(tag.text)}`)].join(' ');
  };
  t.equal(hover('timeoutMs'), "Deadline in ms for readiness (capped by the run's `timeoutMs`); missed: the run is an `error` (TARGET_NOT_READY). @defaultValue `10000`");
  t.equal(hover('escalate'), 'Kill the whole tree when the target is still alive `afterMs` after the first signal (no-escalation then fails); `false`: never (the run\'s `timeoutMs` still ends it). @defaultValue `{"afterMs":10000,"signal":"SIGKILL"}`');
  t.equal(hover('afterReadyMs'), 'Strike this many ms after the target was ready (counted from ready, not from the start of the load).');
});

t.test('each documented placeholder is filled, and only those', async (t) => {
  const vars = Object.fromEntries(Object.keys(PLACEHOLDERS).map((k) => [k === 'port.<service>' ? 'port.db' : k, `<${k}>`]));
  const text = Object.keys(PLACEHOLDERS).map((k) => `{${k === 'port.<service>' ? 'port.db' : k}}`).join(' ');
  t.equal(fill(`${text} {nope} {"seq":1}`, vars), `${Object.keys(PLACEHOLDERS).map((k) => `<${k}>`).join(' ')} {nope} {"seq":1}`);
  t.same(Object.keys(PLACEHOLDERS), ['port', 'port.<service>', 'tmp', 'dir', 'node', 'python', 'cwd', 'out', 'seed']);
});
