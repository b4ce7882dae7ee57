import { z } from 'zod';
import { delayMs, driver, positiveInt, withTimeout } from '../fields.js';
import { defineTrigger } from './kind.js';

export const afterResponses = defineTrigger({
  key: 'afterResponses',
  schema: z.strictObject({ afterResponses: positiveInt.describe('Strike after this many responses from the load'), driver, delayMs, ...withTimeout }),
  describe: (s) => `after ${s.afterResponses} responses`,
  arm: { on: 'strike', count: 'responses', goal: (s) => s.afterResponses, text: (n) => `${n} responses` },
});
