import { z } from 'zod';
import { delayMs, driver, withTimeout } from '../fields.js';
import { defineTrigger } from './kind.js';

export const wsAllConnected = defineTrigger({
  key: 'wsAllConnected',
  schema: z.strictObject({ wsAllConnected: z.literal(true).describe('Strike once every WebSocket and browser client is connected'), driver, delayMs, ...withTimeout }),
  describe: () => 'when all WebSocket clients are connected',
  arm: {
    on: 'strike', count: 'connectedClients', text: (n) => `${n} clients connected`,
    // Every client of the counted entries (ws clients, browser pages; none: never fires).
    goal: (_s, load) => load.reduce((n, l) => n + l.clients, 0),
  },
});
