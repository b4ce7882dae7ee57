import { z } from 'zod';
import { ms, withTimeout } from '../fields.js';
import { defineTrigger } from './kind.js';

export const afterReady = defineTrigger({
  key: 'afterReadyMs',
  schema: z.strictObject({ afterReadyMs: ms.describe('Strike this many ms after the target was ready (counted from ready, not from the start of the load)'), ...withTimeout }),
  describe: (s) => `${s.afterReadyMs}ms after ready`,
  arm: { on: 'main', delay: (s) => ({ from: 'ready', ms: s.afterReadyMs, reason: 'delay' }) },
});
