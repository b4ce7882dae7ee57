import { z } from 'zod';
import { delayMs, withTimeout } from '../fields.js';
import { defineTrigger } from './kind.js';

export const onFile = defineTrigger({
  key: 'onFile',
  schema: z.strictObject({ onFile: z.string().min(1).describe('Strike when a file matching this glob exists (relative to `expect.filesDir` or the target\'s cwd)'), minSize: z.number().int().nonnegative().default(0).describe('Strike only once the matching file is at least this many bytes'), delayMs, ...withTimeout }),
  describe: (s) => `on file ${s.onFile}${s.minSize ? ` >= ${s.minSize} B` : ''}`,
  arm: { on: 'main', watch: 'file' },
});
