import { z } from 'zod';
import { driver, positiveInt, withTimeout } from '../fields.js';
import { defineTrigger } from './kind.js';

export const inFlightAtLeast = defineTrigger({
  key: 'inFlightAtLeast',
  schema: z.strictObject({ inFlightAtLeast: positiveInt.describe('Strike while at least this many load operations are in flight'), driver, ...withTimeout }),
  describe: (s) => `while >= ${s.inFlightAtLeast} in flight`,
  // In flight means accepted: an operation begun while its connection was connecting counts once
  // the connection is established.
  arm: { on: 'strike', count: 'acceptedInFlight', goal: (s) => s.inFlightAtLeast, text: (n) => `${n} in flight` },
});
