import { HarnessError } from '../errors.js';
import type { LoadSpec } from '../scenario/schema.js';
import type { LoadContext, LoadDriver } from './types.js';

// Creates the driver for one `load` entry. (The drivers land with the load work; until then every
// load entry fails the run with LOAD_FAILED rather than pretending to run.)
export function createLoadDriver(spec: LoadSpec, ctx: LoadContext): LoadDriver {
  throw new HarnessError('LOAD_FAILED', `load driver "${Object.keys(spec)[0]}" (${ctx.name}) is not available in this build`);
}

// The driver's kind and name for a load entry at `index`.
export function loadName(spec: LoadSpec, index: number): { kind: string; name: string } {
  const kind = Object.keys(spec)[0] as keyof LoadSpec & string;
  const inner = (spec as Record<string, { name?: string }>)[kind];
  return { kind, name: inner?.name ?? `${kind}#${index}` };
}
