import { defineScenario, type ExpectInput, type LoadInput, type ServiceInput, type TargetInput } from '../../harness/index.js';

// Seed 003: an SMTP-like proxy with a pool of 25 upstream connections. SIGTERM/SIGINT must close
// the pool in parallel and exit (0 or 143) well under 1 s, long before systemd's SIGKILL at 15 s
// (TimeoutStopSec); SIGHUP reloads the config and keeps serving.

const DIR = '{dir}/../../targets/smtp-proxy';
const upstream: ServiceInput = {
  name: 'upstream', command: '{node}', args: [`${DIR}/upstream.mjs`, '--port', '{port.upstream}'], ready: { log: '^ready on' },
};
const proxy = (variant: string): TargetInput => ({
  command: '{node}',
  args: [`${DIR}/proxy.mjs`, '--port', '{port}', '--upstream-port', '{port.upstream}', '--variant', variant],
  ready: { log: '^ready on' },
});
// Five SMTP sessions looping HELO + NOOP (NOOP goes through the pool).
const sessions: LoadInput = {
  tcp: { name: 'smtp', clients: 5, greeting: '^220 ', script: [{ send: 'HELO drill', expect: '^250' }, { send: 'NOOP', expect: '^250' }], intervalMs: 20, durationMs: 30_000 },
};
// When to strike: right after ready (sessions connecting), or once 40 commands were answered.
const moments = { 'after-ready': { afterReadyMs: 100 }, 'under-load': { afterResponses: 40, driver: 'smtp' } };
const systemdStop = { afterMs: 15_000, signal: 'SIGKILL' } as const;
const stops: ExpectInput = {
  exit: { codes: [0, 143] },
  timeToExitMs: { max: 1_000 },
  noEscalation: true,
  logPresent: [{ pattern: '^pool: closed 25 connections', afterSignal: true }],
};
const reloads: ExpectInput = {
  stillRunning: { forMs: 1_000 },
  logPresent: [{ pattern: 'config reloaded', afterSignal: true }],
};

export default [
  // Stops fast whatever the signal and whether sessions are busy.
  defineScenario({
    name: 'seed/smtp-proxy/correct',
    matrix: { signal: ['SIGTERM', 'SIGINT'], moment: ['after-ready', 'under-load'] },
    services: [upstream],
    target: proxy('correct'),
    load: [sessions],
    strike: ({ signal, moment }) => ({ at: moments[moment as keyof typeof moments], signal: signal as 'SIGTERM' | 'SIGINT', escalate: systemdStop }),
    expect: stops,
    timeoutMs: 30_000,
  }),
  // SIGHUP: reload, keep serving.
  defineScenario({
    name: 'seed/smtp-proxy/correct',
    matrix: { signal: ['SIGHUP'] },
    services: [upstream],
    target: proxy('correct'),
    load: [sessions],
    strike: { at: { afterResponses: 20, driver: 'smtp' }, signal: 'SIGHUP', escalate: false },
    expect: reloads,
    timeoutMs: 30_000,
  }),
  // The seed's bug: a wait on a fresh event that never fires; systemd kills it at 15 s.
  defineScenario({
    name: 'seed/smtp-proxy/broken-hang',
    services: [upstream],
    target: proxy('broken-hang'),
    load: [sessions],
    strike: { at: moments['under-load'], signal: 'SIGTERM', escalate: systemdStop },
    // Known failures (expect.fails): the checks that catch each broken variant.
    expect: { ...stops, fails: { checks: ['exit-status', 'time-to-exit', 'no-escalation', 'log-present'], reason: 'awaits a fresh EventEmitter\'s stop: keeps serving until the 15 s stop timeout\'s SIGKILL' } },
    timeoutMs: 40_000,
  }),
  // 25 closes of ~100 ms one after the other: ~2.5 s.
  defineScenario({
    name: 'seed/smtp-proxy/broken-serial-close',
    services: [upstream],
    target: proxy('broken-serial-close'),
    load: [sessions],
    strike: { at: moments['under-load'], signal: 'SIGTERM', escalate: systemdStop },
    expect: { ...stops, fails: { checks: ['time-to-exit'], reason: 'closes the 25 pooled connections one by one: ~2.5 s, over the 1 s budget' } },
    timeoutMs: 30_000,
  }),
  defineScenario({
    name: 'seed/smtp-proxy/broken-exits-on-hup',
    services: [upstream],
    target: proxy('broken-exits-on-hup'),
    load: [sessions],
    strike: { at: { afterResponses: 20, driver: 'smtp' }, signal: 'SIGHUP', escalate: false },
    expect: { ...reloads, fails: { checks: ['log-present', 'still-running'], reason: 'SIGHUP shuts it down (exit 0) instead of reloading' } },
    timeoutMs: 30_000,
  }),
];
