import type { LoadDriver } from '../types.js';
import { defineLoadKind } from '../kind.js';

// `probe`: polls a readiness URL a few times a second, on the main thread (probe.ts).
export const probe = defineLoadKind({
  kind: 'probe',
  thread: 'main',
  schema: ({ z, ms, loadName, loadDuration }) => z.strictObject({
    name: loadName,
    path: z.string().default('/readyz').describe('Path of the readiness URL polled with GET (2xx = ready)'),
    everyMs: ms.default(50).describe('Poll period in ms, from one poll\'s start to the next'),
    timeoutMs: ms.default(1_000).describe('A poll without an answer after this many ms is recorded as a timeout'),
    durationMs: loadDuration,
  }).describe('Readiness probe: polls a health URL, for readiness-flip'),
  async createDriver(spec, ctx): Promise<LoadDriver> {
    const { createProbeDriver } = await import('../probe.js');
    return createProbeDriver(spec, ctx);
  },
});

declare module '../kind-registry.js' {
  interface LoadKindRegistry { probe: typeof probe }
}
