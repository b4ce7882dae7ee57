import type { z } from 'zod';
import { createRedactor, redact, secretsInInput } from '../redact.js';

type Issue = z.core.$ZodIssue;

// Turns zod issues into lines naming the field path, what was expected and what was received.
// Secrets the input holds (its env values, secret-looking options) are redacted from the lines.
export function formatIssues(issues: readonly Issue[], prefix: string, input: unknown): string[] {
  const out: string[] = [];
  hide = createRedactor(secretsInInput(input));
  try {
    for (const issue of issues) out.push(...formatIssue(issue, prefix, input));
    return [...new Set(out.map((line) => redact(hide.text(line))))];
  } finally {
    hide = NO_SECRETS;
  }
}

const NO_SECRETS = createRedactor([]);
// The redactor of the input being formatted (received() redacts before it shortens a value).
let hide = NO_SECRETS;

function formatIssue(issue: Issue, prefix: string, root: unknown, basePath: PropertyKey[] = []): string[] {
  const fullPath = [...basePath, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Report the alternative that came closest: one the value has the shape of (its problems are
    // all inside the value: an array for an array branch), then the fewest problems; then name the
    // alternatives.
    const atRoot = (branch: readonly Issue[]): number => (branch.some((i) => i.path.length === 0) ? 1 : 0);
    const best = [...issue.errors].sort((a, b) => atRoot(a) - atRoot(b) || a.length - b.length)[0]!;
    const keys = alternatives(issue.errors);
    // When no alternative's key is present at all, say which shapes are allowed, not each miss.
    const offShape = best.every((i) => (i.code === 'unrecognized_keys' && i.path.length === 0) || (i.code === 'invalid_type' && i.path.length === 1 && i.input === undefined));
    if (keys && offShape) return [`${prefix}${pathText(fullPath)}: must be one of ${keys}; got ${received(valueAt(root, fullPath))}`];
    return best.flatMap((i) => formatIssue(i, prefix, root, fullPath));
  }
  const where = `${prefix}${pathText(fullPath)}`;
  const got = received(valueAt(root, fullPath));
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => `${where}: unknown field \`${k}\` (remove it or check its spelling)`);
    case 'invalid_type':
      return [`${where}: expected ${issue.expected}, received ${got}`];
    case 'invalid_value':
      return [`${where}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, received ${got}`];
    case 'invalid_key':
      // The key is wrong, not its value: say so, with the key's own rule.
      return [`${prefix}${pathText(fullPath.slice(0, -1))}: the key ${JSON.stringify(String(fullPath[fullPath.length - 1]))} is not allowed: ${issue.issues.map((i) => i.message).join('; ')}`];
    default:
      return [`${where}: ${issue.message}, received ${got}`];
  }
}

function alternatives(errors: readonly (readonly Issue[])[]): string | undefined {
  const names: string[] = [];
  for (const branch of errors) {
    const missing = branch.find((i) => i.code === 'invalid_type' && i.path.length === 1 && i.input === undefined);
    if (missing) names.push(String(missing.path[0]));
  }
  return names.length > 1 ? names.map((n) => `{ ${n}: ... }`).join(', ') : undefined;
}

// `a.b[2].c` for a zod path.
export function pathText(p: readonly PropertyKey[]): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out || '(root)';
}

function valueAt(root: unknown, p: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

// A short rendering of a received value with its type: `-1 (number)`, `nothing`.
export function received(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'function') return 'a function';
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    // A BigInt, a cycle, an object without a prototype (no toString): never throw from here.
    try {
      text = String(v);
    } catch {
      text = Object.prototype.toString.call(v);
    }
  }
  text = redact(hide.text(text));
  if (text.length > 80) text = `${text.slice(0, 77)}...`;
  return `${text} (${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v})`;
}
