import type { HarnessRunner } from './harness-runs.js';
import { whyNotPassed } from './harness-runs.js';
import { spawnTracked, endTracked, type Tracked } from './procs.js';

export interface TriggerLateness {
  lateness: number[];
  // Where the trigger was evaluated (`strike` or `main`), per run.
  threads: string[];
  failures: string[];
}

// Harness runs of the trivial HTTP server under the harness http driver (`connections`, and
// `rate` req/s when set) whose strike is `afterResponses: responses`: each gives the lateness of
// its SIGTERM, sent time − the trigger's intended time (the moment of the N-th response).
export async function triggerLateness(runner: HarnessRunner, options: { runs: number; responses: number; connections: number; rate?: number; target: Record<string, unknown> }): Promise<TriggerLateness> {
  const out: TriggerLateness = { lateness: [], threads: [], failures: [] };
  for (let i = 0; i < options.runs; i++) {
    const s = await runner.run('bench/trigger-lateness', {
      target: options.target,
      load: [{ http: { name: 'http', connections: options.connections, durationMs: 30_000, timeoutMs: 10_000, ...(options.rate ? { rate: options.rate } : {}) } }],
      strike: { at: { afterResponses: options.responses, driver: 'http', timeoutMs: 20_000 }, signal: 'SIGTERM', escalate: { afterMs: 5_000 } },
      expect: { exit: { codes: [0] } },
      timeoutMs: 40_000,
    });
    const fired = s.events.find((e) => e.type === 'trigger:fired');
    const sent = s.events.find((e) => e.type === 'signal:sent' && !e.escalation);
    if (fired?.type !== 'trigger:fired' || sent?.type !== 'signal:sent') {
      out.failures.push(`${whyNotPassed(s)}: no trigger:fired / signal:sent`);
      continue;
    }
    out.lateness.push(sent.sentT - fired.intendedT);
    out.threads.push(fired.thread ?? 'main');
  }
  return out;
}

// A CPU-bound process beside the run (a busy loop per `n`), for the "busy neighbour" condition.
export async function cpuHogs(n: number): Promise<{ stop: () => Promise<void> }> {
  const hogs: Tracked[] = [];
  for (let i = 0; i < n; i++) hogs.push(await spawnTracked(process.execPath, ['-e', 'for (;;) {}'], { tag: 'cpu-hog', stdio: 'ignore' }));
  return { stop: async () => void (await Promise.all(hogs.map(endTracked))) };
}
