import type { Engine } from '../engine.js';
import { defineLoadKind } from '../kind.js';

// `tcp`: line-protocol clients running a script, in a load worker (tcp-engine.ts).
export const tcp = defineLoadKind({
  kind: 'tcp',
  thread: 'worker',
  schema: ({ z, ms, positiveInt, loadName, loadDuration, regex }) => z.strictObject({
    name: loadName,
    clients: positiveInt.default(5).describe('TCP clients, each running the script on its own connection'),
    greeting: regex.optional().describe('RE2 pattern of a greeting line awaited after connect (e.g. `^220 ` for SMTP)'),
    script: z.array(z.strictObject({ send: z.string().describe('Line sent (a newline is added)'), expect: regex.optional().describe('RE2 pattern the reply line must match; unset: any reply') })).default([]).describe('Steps run in order: send a line, await its reply'),
    loop: z.boolean().default(true).describe('Repeat the script every `intervalMs` (on the same connection while it lives, else a new one)'),
    intervalMs: ms.default(50).describe('Pause in ms between runs of the script'),
    timeoutMs: ms.default(5_000).describe('A greeting or reply not received this many ms after it was awaited ends as `timeout`'),
    durationMs: loadDuration,
  }).describe('TCP load: line-protocol clients running a script'),
  detail: (spec): Record<string, unknown> => ({ clients: spec.clients, steps: spec.script.length, loop: spec.loop }),
  async createEngine(spec, env): Promise<Engine> {
    const { createTcpEngine } = await import('../tcp-engine.js');
    return createTcpEngine(spec, env);
  },
});

declare module '../kind-registry.js' {
  interface LoadKindRegistry { tcp: typeof tcp }
}
