import { loadKindNames } from '../load/kinds.js';
import { PLACEHOLDERS } from '../run/placeholders.js';
import { scenarioInputJsonSchema } from './json-schema.js';
import { signalNames } from './schema.js';

// The scenario reference, generated from the descriptions and defaults of schema.ts (through its
// input JSON Schema): the README's option table and the TypeScript input types with TSDoc.
// `npm run docs` writes both (scenario/docs-main.ts); test/scenario/reference.test.ts fails when
// either is stale or when a field has no description.

type Node = Record<string, unknown>;

// One option of the reference: its path (`target.ready.timeoutMs`, `load[].http.rate`).
export interface OptionRow {
  path: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
}

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const props = (n: Node): Record<string, Node> => (isNode(n['properties']) ? (n['properties'] as Record<string, Node>) : {});
const required = (n: Node): string[] => (Array.isArray(n['required']) ? (n['required'] as string[]) : []);
const variants = (n: Node): Node[] => (Array.isArray(n['anyOf']) ? (n['anyOf'] as Node[]) : []);

// Every option of the scenario, depth first in schema order; a field that two variants share
// (a trigger's `timeoutMs`) is listed once.
export function optionRows(schema: Node = scenarioInputJsonSchema()): OptionRow[] {
  const rows: OptionRow[] = [];
  const seen = new Set<string>();
  const walkChildren = (node: Node, prefix: string): void => {
    for (const v of variants(node)) walkChildren(v, prefix);
    if (isNode(node['items'])) walkChildren(node['items'] as Node, `${prefix}[]`);
    const req = required(node);
    for (const [key, child] of Object.entries(props(node))) {
      const path = prefix ? `${prefix}.${key}` : key;
      const row: OptionRow = { path, type: shortType(child), required: req.includes(key), ...('default' in child ? { default: child['default'] } : {}), ...(typeof child['description'] === 'string' ? { description: child['description'] } : {}) };
      const id = `${path}\n${row.type}\n${row.description}`;
      if (!seen.has(id)) rows.push(row);
      seen.add(id);
      walkChildren(child, path);
    }
  };
  walkChildren(schema, '');
  return rows;
}

// The paths of the properties that have no description (empty when every field is documented).
export function undocumentedOptions(schema: Node = scenarioInputJsonSchema()): string[] {
  return optionRows(schema).filter((r) => !r.description?.trim()).map((r) => r.path);
}

// A short type for the table: `number`, `string[]`, `"ws" | "sse"`, `object`.
function shortType(n: Node): string {
  if ('const' in n) return JSON.stringify(n['const']);
  if (Array.isArray(n['enum'])) return JSON.stringify(n['enum']) === JSON.stringify(signalNames) ? 'signal' : (n['enum'] as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
  const vs = variants(n);
  if (vs.length) return [...new Set(vs.map(shortType))].join(' | ');
  if (n['type'] === 'array') {
    if (Array.isArray(n['prefixItems'])) return `[${(n['prefixItems'] as Node[]).map(shortType).join(', ')}]`;
    const item = isNode(n['items']) ? shortType(n['items'] as Node) : 'unknown';
    return item.includes(' ') ? `(${item})[]` : `${item}[]`;
  }
  if (n['type'] === 'object') return isNode(n['additionalProperties']) && !n['properties'] ? `map of ${shortType(n['additionalProperties'] as Node)}` : 'object';
  return typeof n['type'] === 'string' ? n['type'] : 'any';
}

// A table cell: pipes escaped, and `<` / `>` outside code spans (markdown would take `<path>` for a tag).
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ').split('`').map((part, i) => (i % 2 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;'))).join('`');

// The README's option table (markdown), one row per option.
export function referenceTable(rows: OptionRow[] = optionRows()): string {
  const lines = ['| option | type | default | description |', '|---|---|---|---|'];
  for (const r of rows) {
    const dflt = r.default !== undefined ? `\`${JSON.stringify(r.default)}\`` : r.required ? 'required' : '';
    lines.push(`| \`${r.path}\` | ${cell(r.type)} | ${cell(dflt)} | ${cell(r.description ?? '')} |`);
  }
  return lines.join('\n');
}

// ---- TypeScript input types ------------------------------------------------------------------

// Named input types, by the path of their node in the scenario schema. A node equal to a named
// one (services' `ready` is target's) takes the same name.
const NAMED: Array<[string, string, string]> = [
  ['target', 'TargetInput', 'The program under test: how to launch it and how to tell it is ready.'],
  ['target.ready', 'ReadyInput', 'How to tell a target or service is ready; every probe given must hold.'],
  ['services[]', 'ServiceInput', 'A program started before the target and ended after it.'],
  ['load[]', 'LoadInput', `One load driver: ${loadKindNames.slice(0, -1).map((k) => `\`${k}\``).join(', ')} or \`${loadKindNames.at(-1)}\`.`],
  ['strike', 'StrikeInput', 'When and how the target is signalled.'],
  ['strike.at', 'TriggerInput', 'When to strike: one trigger.'],
  ['expect', 'ExpectInput', 'The checks a run is judged by.'],
  ['expect.logPresent[]', 'LogPatternInput', 'A log pattern: an RE2 pattern, or `{ pattern, stream, afterSignal, source }`.'],
  ['requires', 'RequiresInput', 'What the machine must have for the scenario to run.'],
];
// Scenario fields that a *.scenario.ts file may also give as a function of the matrix params.
const OR_FN = new Set(['target', 'services', 'load', 'strike', 'expect']);

const keyOf = (n: Node): string => JSON.stringify({ ...n, description: undefined, default: undefined });

// The source of harness/scenario/input-types.ts: what users write, with every description as TSDoc.
export function inputTypesSource(schema: Node = scenarioInputJsonSchema()): string {
  const byKey = new Map<string, string>();
  const docs = new Map<string, string>();
  const at = (path: string): Node => {
    let n: Node = schema;
    for (const part of path.split('.')) {
      const arr = part.endsWith('[]');
      n = props(n)[arr ? part.slice(0, -2) : part]!;
      if (arr) n = n['items'] as Node;
    }
    return n;
  };
  for (const [path, name, doc] of NAMED) {
    byKey.set(keyOf(at(path)), name);
    docs.set(name, doc);
  }
  const out: string[] = [
    '// Generated by `npm run docs` from harness/scenario/schema.ts (harness/scenario/reference.ts): do not',
    '// edit. The scenario input types (what users write: defaults optional), each field with its description.',
    '',
    "export type MatrixValue = string | number | boolean | null | { [k: string]: unknown } | unknown[];",
    'export type Params = Record<string, MatrixValue>;',
    '// A field of a *.scenario.ts file given as a value or as a function of the run\'s matrix params.',
    'export type OrFn<T> = T | ((params: Params) => T);',
  ];
  const render = (n: Node, indent: string, self?: string): string => {
    const named = byKey.get(keyOf(n));
    if (named && named !== self) return named;
    if ('const' in n) return JSON.stringify(n['const']);
    if (Array.isArray(n['enum'])) return (n['enum'] as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
    const vs = variants(n);
    if (vs.length) return vs.map((v) => render(v, indent)).join(' | ');
    switch (n['type']) {
      case 'string': return 'string';
      case 'number': case 'integer': return 'number';
      case 'boolean': return 'boolean';
      case 'array':
        if (Array.isArray(n['prefixItems'])) return `[${(n['prefixItems'] as Node[]).map((p) => render(p, indent)).join(', ')}]`;
        return `Array<${isNode(n['items']) ? render(n['items'] as Node, indent) : 'unknown'}>`;
      case 'object': {
        if (!n['properties']) return `Record<string, ${isNode(n['additionalProperties']) ? render(n['additionalProperties'] as Node, indent) : 'unknown'}>`;
        return `{\n${members(n, `${indent}  `, false)}${indent}}`;
      }
      default: return 'unknown';
    }
  };
  const members = (n: Node, indent: string, root: boolean): string => {
    const req = required(n);
    let text = '';
    for (const [key, child] of Object.entries(props(n))) {
      text += tsdoc(child, indent);
      let type = render(child, indent);
      if (root && key === 'matrix') type = 'Record<string, MatrixValue[]>';
      if (root && OR_FN.has(key)) type = `OrFn<${type}>`;
      // A key that is not an identifier (`docker-stop`) is quoted.
      const name = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
      text += `${indent}${name}${req.includes(key) ? '' : '?'}: ${type};\n`;
    }
    return text;
  };
  for (const [path, name] of NAMED) {
    const n = at(path);
    const body = render(n, '', name);
    out.push('', `/** ${docs.get(name)} */`, n['type'] === 'object' && n['properties'] ? `export interface ${name} ${body}` : `export type ${name} = ${body};`);
  }
  out.push('', '/** A scenario as written in a *.scenario.ts file; in YAML/JSON the same fields, minus functions. */', `export interface ScenarioInput {\n${members(schema, '  ', true)}}`, '');
  return out.join('\n');
}

function tsdoc(n: Node, indent: string): string {
  const lines = [typeof n['description'] === 'string' ? `${n['description']}.` : ''];
  if ('default' in n) lines.push(`@defaultValue \`${JSON.stringify(n['default'])}\``);
  const text = lines.filter(Boolean).map((l) => l.replace(/\*\//g, '*\\/'));
  if (text.length === 0) return '';
  return text.length === 1 ? `${indent}/** ${text[0]} */\n` : `${indent}/**\n${text.map((l) => `${indent} * ${l}\n`).join('')}${indent} */\n`;
}

// ---- the README section ----------------------------------------------------------------------

export const README_START = '<!-- scenario-reference:start (generated by `npm run docs` from harness/scenario/schema.ts: edit there) -->';
export const README_END = '<!-- scenario-reference:end -->';

// The generated part of the README: the defaults that decide verdicts (values from the schema),
// the placeholders, and the table of every option.
export function readmeReference(rows: OptionRow[] = optionRows()): string {
  const row = (path: string): OptionRow => {
    const r = rows.find((x) => x.path === path);
    if (!r) throw new Error(`readmeReference: the schema has no option \`${path}\``);
    return r;
  };
  const dflt = (path: string): string => `\`${JSON.stringify(row(path).default)}\``;
  const escalate = row('strike.escalate').default as { afterMs: number; signal: string };
  const placeholders = Object.entries(PLACEHOLDERS).map(([k, v]) => `| \`{${k}}\` | ${cell(v)} |`).join('\n');
  return [
    README_START,
    '### Defaults that decide verdicts',
    '',
    `- **Escalation** (\`strike.escalate\`, default ${dflt('strike.escalate')}): a target still alive ${escalate.afterMs} ms after the first signal's actual send gets ${escalate.signal} on its whole tree, and the run fails \`no-escalation\` (and, with it, usually \`exit-status\` and \`time-to-exit\`). A drain that is meant to take longer (nginx SIGQUIT, a long \`terminationGracePeriodSeconds\`) needs \`escalate: { afterMs: <its grace> }\`, or \`escalate: false\` (the run's \`timeoutMs\`, default ${dflt('timeoutMs')} ms, still ends it). A suite config file's \`escalate\` replaces this default for every strike that sets none.`,
    `- **HTTP timeout** (\`load[].http.timeoutMs\`, default ${dflt('load[].http.timeoutMs')} ms): an http load request without a response that long after it was sent ends as \`timeout\`, a failure for \`drain\`, \`new-work-rejected\` and \`error-rate\`. Set it above the slowest endpoint the load calls.`,
    `- **HTTP engine** (\`load[].http.engine\`): ${row('load[].http.engine').description}. \`engine: autocannon\` with \`keepAlive: false\` is rejected.`,
    '- **Load start**: load drivers start one after another once the target is ready (an http, ws or tcp driver first starts its worker thread), and the strike\'s trigger is armed once every driver has started. `afterReadyMs` counts from ready, not from the load: measured on a 2-core machine shared with other work, the first http request went out 180–400 ms after `target:ready` (12 runs: `request:start` minus `target:ready` in `events.jsonl`), so `afterReadyMs: 100` would have struck before the first request in each of them, and a strike due before the trigger was armed is sent at arming (late: `signal:sent` has `intendedT` and `sentT`). To strike while the load really runs, use `inFlightAtLeast`, `afterResponses` or `wsAllConnected`.',
    `- **Readiness** (\`target.ready.timeoutMs\`, default ${dflt('target.ready.timeoutMs')} ms): a target not ready by then makes the run an \`error\`; no \`ready\` at all means ready at spawn.`,
    `- **Orphans** (\`expect.noOrphans\`, default ${dflt('expect.noOrphans')}): on unless turned off: any process of the target's tree alive after the leader's exit fails the run.`,
    '',
    '### Placeholders',
    '',
    'Filled in the strings of `target`, `services`, `strike` and `expect` when a run starts (matrix `{key}`s are filled first, in every string):',
    '',
    '| placeholder | resolves to |',
    '|---|---|',
    placeholders,
    '',
    '### Every option',
    '',
    `Paths use \`[]\` for a list item; a trigger's shared fields (\`timeoutMs\`, \`delayMs\`, \`driver\`) are listed once. "required" means the option has no default; where an option takes one of several forms (a trigger, a load entry, a string or an object), it is required in its form. A \`signal\` is one of ${signalNames.map((x) => `\`${x}\``).join(', ')}.`,
    '',
    referenceTable(rows),
    README_END,
  ].join('\n');
}

// The README with its generated section replaced (the markers must be present once, in order).
export function readmeWithReference(readme: string, section: string = readmeReference()): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start || readme.indexOf(README_START, start + 1) >= 0) {
    throw new Error(`README.md: expected one generated section between "${README_START}" and "${README_END}"`);
  }
  return readme.slice(0, start) + section + readme.slice(end + README_END.length);
}
