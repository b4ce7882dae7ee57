import { mapStrings } from '../scenario/map-strings.js';

// Runtime placeholders in a run's strings (target, services, strike, expect), each with what it
// resolves to (the README's placeholder list is generated from this). Unknown braces are left
// alone (JSON in args stays intact).
export const PLACEHOLDERS = {
  port: 'a free TCP port on 127.0.0.1, picked per run (the run is retried on another when the target finds it taken)',
  'port.<service>': 'a free port for the service of that name, picked the same way',
  tmp: 'a fresh empty folder per run, removed after it',
  dir: 'the folder of the scenario file',
  node: 'the Node.js binary running the harness (`process.execPath`)',
  python: '`python3`, looked up on the target\'s PATH (no fallback to `python`; add `requires: { commands: [python3] }`)',
  cwd: 'the harness\'s working directory',
  out: 'the run\'s output folder, `<out>/runs/<run>` (its history and spec.json are written there)',
  seed: 'the run\'s seed: `--seed S` (random when unset), `S + k - 1` for the k-th `--repeat`',
} as const;

export type Vars = Record<string, string>;

const names = Object.keys(PLACEHOLDERS).filter((k) => k.startsWith('port') === false);
const PATTERN = new RegExp(`\\{(port(?:\\.[A-Za-z][A-Za-z0-9-]*)?|${names.join('|')})\\}`, 'g');

// Names of the ports a value asks for: `''` for {port}, `name` for {port.name}.
export function portsWanted(value: unknown): Set<string> {
  const out = new Set<string>();
  const text = JSON.stringify(value) ?? '';
  for (const m of text.matchAll(/\{port(?:\.([A-Za-z][A-Za-z0-9-]*))?\}/g)) out.add(m[1] ?? '');
  return out;
}

// Replaces known placeholders in every string of a value (deep copy).
export function fill<T>(value: T, vars: Vars): T {
  return mapStrings(value, (text) => text.replace(PATTERN, (m, k: string) => vars[k] ?? m));
}
