// Runtime placeholders in a run's strings: {port}, {port.<service>}, {tmp}, {dir}, {node},
// {python}, {cwd}, {out}, {seed}. Unknown braces are left alone (JSON in args stays intact).

export type Vars = Record<string, string>;

// Names of the ports a value asks for: `''` for {port}, `name` for {port.name}.
export function portsWanted(value: unknown): Set<string> {
  const out = new Set<string>();
  const text = JSON.stringify(value) ?? '';
  for (const m of text.matchAll(/\{port(?:\.([A-Za-z][A-Za-z0-9-]*))?\}/g)) out.add(m[1] ?? '');
  return out;
}

// Replaces known placeholders in every string of a value (deep copy).
export function fill<T>(value: T, vars: Vars): T {
  if (typeof value === 'string') {
    return value.replace(/\{(port(?:\.[A-Za-z][A-Za-z0-9-]*)?|tmp|dir|node|python|cwd|out|seed)\}/g, (m, k: string) => vars[k] ?? m) as T;
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, vars)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars)])) as T;
  }
  return value;
}
