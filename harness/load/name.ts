import { HarnessError } from '../errors.js';
import type { LoadKindName } from './kind-registry.js';
import { loadKindNames, loadKindOf } from './kinds.js';

// The driver's kind and name for a load entry at `index`: its `name`, else `<kind>#<index>`. The one
// place a default driver name is made (the run names its drivers, triggers find them by it). An
// entry of no listed kind (never past the schema) throws, naming the kinds.
export function loadName(spec: object, index: number): { kind: LoadKindName; name: string } {
  const kind = loadKindOf(spec);
  if (!kind) throw new HarnessError('LOAD_FAILED', `load entry ${index} has no known kind (keys: ${Object.keys(spec).join(', ') || 'none'}); expected one of ${loadKindNames.join(', ')}`);
  const inner = (spec as Record<string, { name?: string } | undefined>)[kind.kind];
  return { kind: kind.kind as LoadKindName, name: inner?.name ?? `${kind.kind}#${index}` };
}
