import { Clock } from '../harness/clock.js';
import { waitUntil } from '../harness/inject/precise-timer.js';
import type { HarnessRunner } from './harness-runs.js';
import { strikeLateness, whyNotPassed } from './harness-runs.js';

export interface TimerLateness {
  precise: number[];
  setTimeout: number[];
}

// The bare timers, interleaved in this thread: the harness's precise timer (sleep to 2 ms before
// the deadline, then spin) against a plain setTimeout strike, `n` samples each of `delayMs`.
export async function timerLateness(n: number, delayMs: number): Promise<TimerLateness> {
  const clock = new Clock();
  const now = (): number => clock.now();
  const out: TimerLateness = { precise: [], setTimeout: [] };
  for (let i = 0; i < n; i++) {
    const a = now() + delayMs;
    out.precise.push((await waitUntil(a, now)) - a);
    const b = now() + delayMs;
    await new Promise((r) => setTimeout(r, delayMs));
    out.setTimeout.push(now() - b);
  }
  return out;
}

export interface PlanLateness {
  lateness: number[];
  failures: string[];
}

// Harness runs whose strike is a plan of `steps` SIGUSR2 (ignored by the target) `spacingMs`
// apart, then SIGTERM: every step is a strike with an intended and an actual time in the history.
// `target` is the target spec (ready probe included); `load` the run's load entries, if any.
// `at` replaces `afterReadyMs` as the trigger (e.g. `{ afterResponses: 1 }`: once the load runs).
export async function planLateness(runner: HarnessRunner, options: { runs: number; steps: number; spacingMs: number; afterReadyMs: number; at?: Record<string, unknown>; target: Record<string, unknown>; load?: unknown[] }): Promise<PlanLateness> {
  const out: PlanLateness = { lateness: [], failures: [] };
  const signal = [
    ...Array.from({ length: options.steps }, (_, i) => ({ signal: 'SIGUSR2', afterMs: i === 0 ? 0 : options.spacingMs })),
    { signal: 'SIGTERM', afterMs: options.spacingMs },
  ];
  for (let i = 0; i < options.runs; i++) {
    const s = await runner.run('bench/strike-lateness', {
      target: options.target,
      load: options.load ?? [],
      strike: { at: options.at ?? { afterReadyMs: options.afterReadyMs }, signal, deliver: 'process', escalate: { afterMs: options.steps * options.spacingMs + 5_000 } },
      expect: { exit: { codes: [0] } },
      timeoutMs: 60_000,
    });
    const late = strikeLateness(s.events);
    if (late.length !== options.steps + 1) {
      out.failures.push(`${whyNotPassed(s)}: ${late.length} of ${options.steps + 1} signals sent`);
    }
    if (s.result.verdict !== 'pass' && late.length === options.steps + 1) out.failures.push(whyNotPassed(s));
    out.lateness.push(...late);
  }
  return out;
}
