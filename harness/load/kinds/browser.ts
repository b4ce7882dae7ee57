import type { LoadDriver } from '../types.js';
import { defineLoadKind } from '../kind.js';

// `browser`: pages in one headless Chromium (Playwright), on the main thread: the browser is a
// process of its own (browser.ts).
export const browser = defineLoadKind({
  kind: 'browser',
  thread: 'main',
  schema: ({ z, ms, positiveInt, loadName, loadDuration, message, ackPattern }) => z.strictObject({
    name: loadName,
    pages: positiveInt.default(1).describe('Browser pages (tabs) in one headless Chromium'),
    page: z.string().optional().describe('Path of a page served by the target to open (its WebSockets are watched); unset: the harness\'s own client page'),
    mode: z.enum(['ws', 'sse', 'fetch']).default('ws').describe('What the harness\'s client page holds: a WebSocket, an EventSource, or a fetch loop'),
    path: z.string().default('/').describe('Path on the target the client page connects to'),
    messagesPerSecond: z.number().nonnegative().default(5).describe('Messages (ws) or requests (fetch) per second per page'),
    message,
    ackPattern,
    connectTimeoutMs: ms.default(10_000).describe('Deadline in ms for each page to load and connect'),
    durationMs: loadDuration,
  }).describe('Browser load: pages in headless Chromium (Playwright) holding a WebSocket, EventSource or fetch loop'),
  clients: (spec): number => spec.pages,
  async createDriver(spec, ctx): Promise<LoadDriver> {
    const { createBrowserDriver } = await import('../browser.js');
    return createBrowserDriver(spec, ctx);
  },
});

declare module '../kind-registry.js' {
  interface LoadKindRegistry { browser: typeof browser }
}
