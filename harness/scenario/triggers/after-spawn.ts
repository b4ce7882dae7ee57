import { z } from 'zod';
import { ms, withTimeout } from '../fields.js';
import { defineTrigger } from './kind.js';

export const afterSpawn = defineTrigger({
  key: 'afterSpawnMs',
  schema: z.strictObject({ afterSpawnMs: ms.describe('Strike this many ms after the target was spawned'), ...withTimeout }),
  describe: (s) => `${s.afterSpawnMs}ms after spawn`,
  arm: { on: 'main', delay: (s) => ({ from: 'spawn', ms: s.afterSpawnMs, reason: 'delay' }) },
});
