import { z } from 'zod';
import { ms, withTimeout } from '../fields.js';
import { defineTrigger } from './kind.js';

export const randomIn = defineTrigger({
  key: 'randomInMs',
  schema: z.strictObject({ randomInMs: z.tuple([ms, ms]).refine(([a, b]) => a <= b, 'the window must be [min, max] with min <= max').describe('Strike at a moment drawn from the run\'s seed in [min, max] ms after ready (`--seed S` replays it)'), ...withTimeout }),
  describe: (s) => `random in [${s.randomInMs[0]}, ${s.randomInMs[1]}] ms after ready`,
  arm: {
    on: 'main',
    delay: (s, { seed, random }) => {
      const [min, max] = s.randomInMs;
      const offset = min + random * (max - min);
      return { from: 'ready', ms: offset, reason: `seed ${seed} drew ${offset.toFixed(3)} ms` };
    },
  },
});
