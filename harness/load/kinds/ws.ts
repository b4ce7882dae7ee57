import type { Engine } from '../engine.js';
import { defineLoadKind } from '../kind.js';

// `ws`: WebSocket clients sending ack-correlated messages, in a load worker (ws-engine.ts).
export const ws = defineLoadKind({
  kind: 'ws',
  thread: 'worker',
  schema: ({ z, ms, positiveInt, loadName, loadDuration, message, ackPattern }) => z.strictObject({
    name: loadName,
    clients: positiveInt.default(10).describe('WebSocket clients connected at once'),
    path: z.string().default('/').describe('Path of the WebSocket URL `ws://127.0.0.1:{port}<path>`'),
    messagesPerSecond: z.number().nonnegative().default(0).describe('Messages per second per client; 0: connect and hold only'),
    message,
    ackPattern,
    connectTimeoutMs: ms.default(5_000).describe('Deadline in ms for each client\'s WebSocket handshake'),
    durationMs: loadDuration,
  }).describe('WebSocket load: `clients` clients sending ack-correlated messages'),
  clients: (spec): number => spec.clients,
  detail: (spec): Record<string, unknown> => ({ clients: spec.clients, path: spec.path, messagesPerSecond: spec.messagesPerSecond }),
  async createEngine(spec, env): Promise<Engine> {
    const { createWsEngine } = await import('../ws-engine.js');
    return createWsEngine(spec, env);
  },
});

declare module '../kind-registry.js' {
  interface LoadKindRegistry { ws: typeof ws }
}
