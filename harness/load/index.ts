import { HarnessError } from '../errors.js';
import type { LoadEntry, LoadKindName, WorkerKindName } from './kind-registry.js';
import { kindSpec, loadKindNames, loadKindOf } from './kinds.js';
import { MainThreadLoad } from './main-thread-load.js';
import type { LoadContext, LoadDriver } from './types.js';
import { WorkerLoad } from './worker-host.js';

// Creates the driver for one `load` entry, as its kind (load/kinds.ts) says: a worker kind's engine
// runs in a worker thread (worker-host.ts), a main-thread kind's driver here (its module imported
// on start()). Nothing runs until start(). An entry of no listed kind throws LOAD_FAILED.
export function createLoadDriver(spec: LoadEntry, ctx: LoadContext): LoadDriver {
  const kind = loadKindOf(spec);
  if (!kind) {
    throw new HarnessError('LOAD_FAILED', `load "${ctx.name}": unknown load kind \`${Object.keys(spec)[0]}\`; expected one of ${loadKindNames.join(', ')}`);
  }
  const inner = kindSpec(spec, kind) as never;
  if (kind.thread === 'worker') return new WorkerLoad(kind.kind as WorkerKindName, spec, ctx, { detail: kind.detail(inner) });
  return new MainThreadLoad(kind.kind as LoadKindName, ctx, () => kind.createDriver(inner, ctx));
}
