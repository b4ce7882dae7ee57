// A deep copy of `value` with `f` applied to every string in it (in arrays and plain objects; keys,
// class instances and other values are kept as they are): the one walk behind the matrix's `{key}`
// substitution (scenario/matrix.ts) and the runtime placeholders (run/placeholders.ts).
export function mapStrings<T>(value: T, f: (text: string) => string): T {
  if (typeof value === 'string') return f(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)])) as T;
  }
  return value;
}
