import { z } from 'zod';
import { delayMs, regex, streamOf, withTimeout } from '../fields.js';
import { defineTrigger } from './kind.js';

export const onLog = defineTrigger({
  key: 'onLog',
  schema: z.strictObject({ onLog: regex.describe('Strike when a line of the target\'s output matches this RE2 pattern (a line printed before arming counts too)'), stream: streamOf, delayMs, ...withTimeout }),
  describe: (s) => `on log /${s.onLog}/`,
  arm: { on: 'main', watch: 'log' },
});
