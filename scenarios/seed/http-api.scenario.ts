import { defineScenario, type ExpectInput, type LoadInput, type StrikeInput, type TargetInput } from '../../harness/index.js';

// Seed 004: an HTTP API with slow endpoints and prioritized resources. On SIGTERM: stop accepting
// (503 or refused), drain the in-flight requests within the drain timeout (5 s), close resources by
// priority (cache, queue, database), and force a non-zero exit when the work outlives the timeout.
// Keep-alive clients must never see a reset.

const server = (variant: string): TargetInput => ({
  command: '{node}',
  args: ['{dir}/../../targets/http-api/server.mjs', '--port', '{port}', '--variant', variant],
  ready: { http: '/healthz' },
});
const probe: LoadInput = { probe: { name: 'ready', path: '/readyz', everyMs: 25 } };
// Keep-alive clients (one request at a time per connection, as an HTTP client pool does).
const api = (connections: number, path: string, rate?: number): LoadInput => ({
  http: { name: 'api', engine: 'tracked', keepAlive: true, connections, path, durationMs: 30_000, timeoutMs: 15_000, ...(rate ? { rate } : {}) },
});

// The moments: slow requests in flight, or keep-alive connections mostly idle between quick calls.
// `inFlightAtLeast` counts requests the clients have sent; the signal follows 100 ms later so they
// have reached the server (one sent a moment before the signal may arrive after it and be rightly
// turned away).
const moments = {
  'in-flight': {
    load: [api(10, '/slow?ms=1000'), probe],
    strike: { at: { inFlightAtLeast: 10, driver: 'api' }, signal: [{ signal: 'SIGTERM', afterMs: 100 }] } satisfies StrikeInput,
  },
  'idle-keepalive': {
    load: [api(5, '/fast', 40), probe],
    strike: { at: { afterResponses: 40, driver: 'api' }, signal: 'SIGTERM' } satisfies StrikeInput,
  },
};
type Moment = keyof typeof moments;

const closes: ExpectInput = {
  exit: { codes: [0, 143] },
  timeToExitMs: { max: 8_000 },
  noEscalation: true,
  readinessFlip: { withinMs: 200, driver: 'ready' },
  newWorkRejected: { driver: 'api' },
  noReset: { driver: 'api' },
  logOrder: ['closing resource: cache \\(priority 1\\)', 'closing resource: queue \\(priority 2\\)', 'closing resource: database \\(priority 3\\)', 'shutdown: complete'],
};
const drains: ExpectInput = { ...closes, drain: { driver: 'api' } };
const brokenVariants = {
  'broken-keepalive-reset': { checks: ['new-work-rejected', 'no-reset'], reason: 'draining responses keep connections alive, then every socket is destroyed: keep-alive clients get ECONNRESET' },
  'broken-inflight-reset': { checks: ['drain', 'no-reset', 'readiness-flip'], reason: 'server.close() and closeAllConnections() at once: in-flight requests reset, /readyz refused at once' },
  'broken-close-order': { checks: ['log-order'], reason: 'resources closed in registration order: database first' },
} satisfies Record<string, ExpectInput['fails']>;
const expectFor = (moment: Moment): ExpectInput => (moment === 'in-flight' ? drains : closes);

export default [
  defineScenario({
    name: 'seed/http-api/correct',
    matrix: { moment: ['in-flight', 'idle-keepalive'] },
    target: server('correct'),
    load: ({ moment }) => moments[moment as Moment].load,
    strike: ({ moment }) => moments[moment as Moment].strike,
    expect: ({ moment }) => expectFor(moment as Moment),
    timeoutMs: 30_000,
  }),
  // Requests that outlive the 5 s drain timeout: cut off, resources closed, exit 1.
  defineScenario({
    name: 'seed/http-api/correct',
    matrix: { moment: ['stuck-requests'] },
    target: server('correct'),
    load: [api(3, '/slow?ms=30000'), probe],
    strike: { at: { inFlightAtLeast: 3, driver: 'api' }, signal: [{ signal: 'SIGTERM', afterMs: 100 }] },
    expect: {
      exit: { codes: [1] },
      timeToExitMs: { max: 8_000 },
      noEscalation: true,
      readinessFlip: { withinMs: 200, driver: 'ready' },
      logPresent: [{ pattern: '^shutdown: drain timeout after 5000 ms, 3 requests still in flight, forcing$', afterSignal: true }],
      logOrder: ['drain timeout', 'closing resource: cache \\(priority 1\\)', 'closing resource: database \\(priority 3\\)', 'shutdown: forced'],
    },
    timeoutMs: 30_000,
  }),
  // Known failures (expect.fails): the checks that catch each broken variant.
  ...Object.entries(brokenVariants).map(([variant, fails]) =>
    defineScenario({
      name: `seed/http-api/${variant}`,
      target: server(variant),
      load: moments['in-flight'].load,
      strike: moments['in-flight'].strike,
      expect: { ...drains, fails },
      timeoutMs: 30_000,
    })),
];
