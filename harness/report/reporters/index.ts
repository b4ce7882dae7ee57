import { HarnessError } from '../../errors.js';
import type { Reporter } from '../reporter.js';
import type { ReporterContext, ReporterDefinition } from './define.js';
import { dot } from './dot.js';
import { github } from './github.js';
import { html } from './html.js';
import { json } from './json.js';
import { junit } from './junit.js';
import { line } from './line.js';
import { list } from './list.js';

// Every reporter, one line each: `--reporter`, its --help text and the defaults derive from here.
export const reporters: readonly ReporterDefinition[] = [
  list,
  line,
  dot,
  json,
  junit,
  html,
  github,
];

// A reporter picked by --reporter (or by default), with its option (the value after `=`).
export interface ReporterChoice {
  definition: ReporterDefinition;
  option?: string;
}

const names = (): string => reporters.map((r) => r.name).join(', ');

// The --reporter values (each may list several, comma-separated: `dot,junit=out/j.xml`), in the
// order given. Throws HarnessError('USAGE') naming the valid reporters for an unknown name, and
// naming the reporter for an option it does not take, an empty option, or a name given twice.
export function parseReporterFlags(values: readonly string[]): ReporterChoice[] {
  const choices: ReporterChoice[] = [];
  for (const item of values.flatMap((v) => v.split(','))) {
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).trim();
    const option = eq < 0 ? undefined : item.slice(eq + 1);
    const definition = reporters.find((r) => r.name === name);
    if (!definition) throw new HarnessError('USAGE', `--reporter ${JSON.stringify(item)}: ${name ? `no reporter "${name}"` : 'a reporter name is missing'}; valid reporters: ${names()} (several: --reporter dot,junit or repeat the flag)`);
    if (option !== undefined && !definition.option) throw new HarnessError('USAGE', `--reporter ${item}: the ${name} reporter takes no option; write --reporter ${name}`);
    if (option !== undefined && option.trim() === '') throw new HarnessError('USAGE', `--reporter ${item}: ${definition.option!.value} is missing after "="; write --reporter ${name}=${definition.option!.value} or --reporter ${name}`);
    if (choices.some((c) => c.definition === definition)) throw new HarnessError('USAGE', `--reporter ${name} is given twice; name each reporter once`);
    choices.push({ definition, ...(option === undefined ? {} : { option }) });
  }
  return choices;
}

// The reporters of a command given no --reporter: those on by default that `enabled` (the config's
// toggles) leaves on; console reporters only when `console` (run and sweep, not merge or report).
export function defaultReporters(options: { enabled: (name: string) => boolean; console: boolean }): ReporterChoice[] {
  return reporters.filter((r) => r.byDefault && options.enabled(r.name) && (options.console || r.kind !== 'console')).map((definition) => ({ definition }));
}

// The reporters a command uses: those of its --reporter flags when given (the flag wins over the
// config), else the defaults.
export function selectReporters(flags: readonly string[] | undefined, options: { enabled: (name: string) => boolean; console: boolean }): ReporterChoice[] {
  return flags?.length ? parseReporterFlags(flags) : defaultReporters(options);
}

// The chosen reporters, made.
export function createReporters(choices: readonly ReporterChoice[], context: ReporterContext): Reporter[] {
  return choices.map((c) => c.definition.create(context, c.option));
}

// The --help lines of --reporter: each reporter with its option.
export function reporterHelp(): string {
  const rows = reporters.map((r) => [`${r.name}${r.option ? `[=${r.option.value}]` : ''}`, `${r.summary}${r.option ? `; =${r.option.value}: ${r.option.summary}` : ''}`] as const);
  const width = Math.max(...rows.map(([n]) => n.length)) + 2;
  const defaults = reporters.filter((r) => r.byDefault).map((r) => r.name).join(',');
  return [`Reporters (--reporter NAME[=FILE], repeat the flag or list them with commas; default ${defaults}; results.json is always written):`,
    ...rows.map(([n, s]) => `  ${n.padEnd(width)}${s}`)].join('\n');
}
