import type { LoadSpec } from '../scenario/schema.js';

// The driver's kind and name for a load entry at `index`: its `name`, else `<kind>#<index>`. The one
// place a default driver name is made (the run names its drivers, triggers find them by it).
export function loadName(spec: LoadSpec, index: number): { kind: string; name: string } {
  const kind = Object.keys(spec)[0] as keyof LoadSpec & string;
  const inner = (spec as Record<string, { name?: string }>)[kind];
  return { kind, name: inner?.name ?? `${kind}#${index}` };
}
