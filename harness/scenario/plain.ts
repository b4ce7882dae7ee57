import { types } from 'node:util';
import { pathText } from './problems.js';

// How deep a scenario may nest (its own fields are a few levels deep; 64 leaves ample room, and
// keeps every recursive walk over it far from the stack limit).
export const MAX_DEPTH = 64;
// How many values a scenario may hold in all (shared references counted each time they appear,
// so `a = [x, x]` nested 60 times cannot expand into 2^60 values).
export const MAX_VALUES = 1_000_000;
// How many items one array may hold (a sparse array's length can be 2^32 - 1).
export const MAX_ITEMS = 100_000;

// A value that cannot be scenario data, at a field path (`target.args[2]`).
export class PlainDataError extends Error {
  readonly at: PropertyKey[];

  constructor(at: PropertyKey[], why: string) {
    super(why);
    this.name = 'PlainDataError';
    this.at = at;
  }

  // `target.args[2]: <why>`.
  get text(): string {
    return `${shortPath(this.at)}: ${this.message}`;
  }
}

// A field path for a message, shortened in the middle when it is very long.
export function shortPath(at: readonly PropertyKey[]): string {
  if (at.length <= 12) return pathText(at);
  return `${pathText(at.slice(0, 6))}...(${at.length - 10} more levels)...${pathText(at.slice(-4)).replace(/^(?=[^[])/, '.')}`;
}

// A deep copy of a value read exactly once: arrays and plain objects are copied, functions and
// other objects (Date, Map, class instances) kept as they are. Later code never runs a getter or
// a Proxy trap of the original. Throws PlainDataError naming the field for a Proxy, a getter
// that throws, a cycle, nesting deeper than MAX_DEPTH, or more than MAX_VALUES values.
export function toPlain(root: unknown, base: readonly PropertyKey[] = []): unknown {
  const ancestors = new Set<unknown>();
  let count = 0;
  const copy = (v: unknown, at: PropertyKey[]): unknown => {
    if (++count > MAX_VALUES) throw new PlainDataError([...base], `holds more than ${MAX_VALUES} values (shared references count each time they appear); a scenario must be small data`);
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return v;
    if (types.isProxy(v)) throw new PlainDataError(at, 'is a Proxy; a scenario must be plain data (objects, arrays, strings, numbers, booleans) or functions returning it');
    if (typeof v === 'function') return v;
    const isArray = Array.isArray(v);
    const proto = Object.getPrototypeOf(v) as unknown;
    if (!isArray && proto !== Object.prototype && proto !== null) return v;
    if (ancestors.has(v)) throw new PlainDataError(at, 'refers back to a field that contains it (a YAML alias inside its own anchor?); a scenario must be plain data without cycles');
    if (at.length - base.length >= MAX_DEPTH) throw new PlainDataError(at, `is nested more than ${MAX_DEPTH} levels deep; a scenario is at most ${MAX_DEPTH} levels deep`);
    ancestors.add(v);
    try {
      if (isArray) {
        const list = v as unknown[];
        if (list.length > MAX_ITEMS) throw new PlainDataError(at, `holds ${list.length} items, more than ${MAX_ITEMS}`);
        const out: unknown[] = [];
        for (let i = 0; i < list.length; i++) out.push(copy(read(list, i, [...at, i]), [...at, i]));
        return out;
      }
      const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
      for (const key of Object.keys(v)) out[key] = copy(read(v as Record<string, unknown>, key, [...at, key]), [...at, key]);
      return out;
    } finally {
      ancestors.delete(v);
    }
  };
  return copy(root, [...base]);
}

// Reads one own property; a getter is called once, and its error is named with the field.
function read(obj: object, key: string | number, at: PropertyKey[]): unknown {
  const desc = Object.getOwnPropertyDescriptor(obj, key);
  if (!desc) return undefined;
  if (!desc.get) return desc.value;
  try {
    return desc.get.call(obj);
  } catch (error) {
    throw new PlainDataError(at, `reading it threw ${describeThrown(error)}; a scenario must be plain data`);
  }
}

// `TypeError: boom` for any thrown value, never throwing itself.
export function describeThrown(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`;
    return typeof error === 'string' ? JSON.stringify(error) : `${typeof error} ${String(error)}`;
  } catch {
    return 'a value that cannot be shown';
  }
}

// The problem with a matrix value (JSON data: string, finite number, boolean, null, array, plain
// object), or undefined. A matrix value names the run and is written to results.json as `params`.
export function jsonDataProblem(value: unknown, at: PropertyKey[]): string | undefined {
  const visit = (v: unknown, p: PropertyKey[]): string | undefined => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
    if (typeof v === 'number') return Number.isFinite(v) ? undefined : `${pathText(p)}: a matrix value must be a finite number, got ${String(v)}`;
    if (typeof v === 'object') {
      const proto = Object.getPrototypeOf(v) as unknown;
      if (Array.isArray(v) || proto === Object.prototype || proto === null) {
        for (const [k, x] of Object.entries(v)) {
          const found = visit(x, [...p, Array.isArray(v) ? Number(k) : k]);
          if (found) return found;
        }
        return undefined;
      }
    }
    return `${pathText(p)}: a matrix value must be JSON data (string, number, boolean, null, array or plain object), got ${kindOf(v)}`;
  };
  return visit(value, at);
}

function kindOf(v: unknown): string {
  if (typeof v === 'function') return 'a function';
  if (typeof v !== 'object' || v === null) return typeof v;
  try {
    const name = (Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name ? `a ${name}` : 'an object';
  } catch {
    return 'an object';
  }
}

