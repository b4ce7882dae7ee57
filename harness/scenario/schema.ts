import { z } from 'zod';
import { userRegexProblem } from './regex.js';

// The scenario model, validated with zod. Strict objects: an unknown field is an error (a typo in
// a CI gate must not silently weaken it). The JSON Schema for YAML editors is generated from this
// (see scenario/json-schema.ts, `npm run schema`).

export const signalNames = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const;
export const SignalNameSchema = z.enum(signalNames);
export const DeliverySchema = z.enum(['process', 'group', 'tree']);

const ms = z.number().finite().nonnegative();
const positiveInt = z.number().int().positive();
// A user pattern, validated with the engine that will run it (RE2, linear time; see scenario/regex.ts).
const regex = z.string().min(1).superRefine((s, ctx) => {
  const problem = userRegexProblem(s);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

// ---- target and services ----------------------------------------------------------------------

export const ReadySchema = z.strictObject({
  port: z.literal(true).optional(),
  http: z.union([z.string().min(1), z.strictObject({ path: z.string().min(1), status: z.array(z.number().int()).optional() })]).optional(),
  log: regex.optional(),
  file: z.string().min(1).optional(),
  afterMs: ms.optional(),
  timeoutMs: ms.default(10_000),
  intervalMs: ms.default(20),
});

const ProcessSpecShape = {
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).default({}),
  shell: z.boolean().default(false),
  ready: ReadySchema.optional(),
};

export const TargetSchema = z.strictObject({
  ...ProcessSpecShape,
  // Lines of stdout/stderr kept in the history per stream; the rest are counted as dropped.
  outputLines: positiveInt.default(5_000),
  // Run the target as PID 1 of a PID namespace of its own, as a container without an init does
  // (the kernel then drops signals whose action is the default; see harness/target/pid1.ts).
  pid1: z.boolean().default(false),
  // With pid1: what runs as PID 1 — `none` (the target itself), `tini`, `dumb-init`, or a command
  // line (split on spaces) that takes the target's argv after it.
  init: z.string().min(1).default('none'),
});

export const ServiceSchema = z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9-]*$/i), ...ProcessSpecShape });

// ---- load (drivers in harness/load/) ------------------------------------------------------------

const HttpRequestSchema = z.strictObject({
  method: z.string().default('GET'),
  path: z.string().default('/'),
  body: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

export const HttpLoadSchema = z.strictObject({
  http: z.strictObject({
    name: z.string().optional(),
    connections: positiveInt.default(10),
    // Requests per second over all connections; unset = as fast as possible.
    rate: z.number().positive().optional(),
    // Stops after this many requests in all, or after durationMs, whichever comes first.
    amount: positiveInt.optional(),
    durationMs: ms.default(30_000),
    requests: z.array(HttpRequestSchema).min(1).optional(),
    path: z.string().default('/'),
    method: z.string().default('GET'),
    keepAlive: z.boolean().default(true),
    timeoutMs: ms.default(10_000),
    pipelining: positiveInt.default(1),
    // autocannon (throughput, keep-alive only) or tracked (node http Agent, one request per
    // connection at a time); unset = autocannon with keep-alive, tracked without (autocannon writes
    // the next request on a `Connection: close` socket and loses it, see harness/load/http-engine.ts).
    engine: z.enum(['autocannon', 'tracked']).optional(),
  }).refine((h) => !(h.engine === 'autocannon' && h.keepAlive === false), {
    message: '`engine: autocannon` cannot run with `keepAlive: false` (autocannon reuses a connection the server asked to close and loses the request); use `engine: tracked` or leave `engine` unset',
  }),
});

export const WsLoadSchema = z.strictObject({
  ws: z.strictObject({
    name: z.string().optional(),
    clients: positiveInt.default(10),
    path: z.string().default('/'),
    // Messages per second per client; 0 = connect and hold only.
    messagesPerSecond: z.number().nonnegative().default(0),
    // Message text; `{seq}` and `{client}` are filled in. The ack is a message containing the seq.
    message: z.string().default('{"seq":{seq}}'),
    ackPattern: z.string().default('"ack":{seq}\\b'),
    connectTimeoutMs: ms.default(5_000),
    durationMs: ms.default(30_000),
  }),
});

export const TcpLoadSchema = z.strictObject({
  tcp: z.strictObject({
    name: z.string().optional(),
    clients: positiveInt.default(5),
    // A greeting line awaited after connect (regex), then the script: send a line, await a reply.
    greeting: regex.optional(),
    script: z.array(z.strictObject({ send: z.string(), expect: regex.optional() })).default([]),
    loop: z.boolean().default(true),
    intervalMs: ms.default(50),
    timeoutMs: ms.default(5_000),
    durationMs: ms.default(30_000),
  }),
});

export const BrowserLoadSchema = z.strictObject({
  browser: z.strictObject({
    name: z.string().optional(),
    pages: positiveInt.default(1),
    // A page served by the target (path), or omit to let the harness serve its own client page.
    page: z.string().optional(),
    mode: z.enum(['ws', 'sse', 'fetch']).default('ws'),
    path: z.string().default('/'),
    messagesPerSecond: z.number().nonnegative().default(5),
    // As for `ws`: message text with `{seq}`/`{client}`, and the ack that correlates it.
    message: z.string().default('{"seq":{seq}}'),
    ackPattern: z.string().default('"ack":{seq}\\b'),
    connectTimeoutMs: ms.default(10_000),
    durationMs: ms.default(30_000),
  }),
});

export const ProbeLoadSchema = z.strictObject({
  probe: z.strictObject({
    name: z.string().optional(),
    path: z.string().default('/readyz'),
    everyMs: ms.default(50),
    timeoutMs: ms.default(1_000),
    durationMs: ms.default(30_000),
  }),
});

export const LoadSchema = z.union([HttpLoadSchema, WsLoadSchema, TcpLoadSchema, BrowserLoadSchema, ProbeLoadSchema]);

// ---- triggers and the strike ----------------------------------------------------------------

const withTimeout = { timeoutMs: ms.optional() };
export const TriggerSchema = z.union([
  z.strictObject({ afterReadyMs: ms, ...withTimeout }),
  z.strictObject({ afterSpawnMs: ms, ...withTimeout }),
  z.strictObject({ onLog: regex, stream: z.enum(['stdout', 'stderr', 'any']).default('any'), delayMs: ms.default(0), ...withTimeout }),
  z.strictObject({ onFile: z.string().min(1), minSize: z.number().int().nonnegative().default(0), delayMs: ms.default(0), ...withTimeout }),
  z.strictObject({ randomInMs: z.tuple([ms, ms]).refine(([a, b]) => a <= b, 'the window must be [min, max] with min <= max'), ...withTimeout }),
  z.strictObject({ afterResponses: positiveInt, driver: z.string().optional(), delayMs: ms.default(0), ...withTimeout }),
  z.strictObject({ inFlightAtLeast: positiveInt, driver: z.string().optional(), ...withTimeout }),
  z.strictObject({ wsAllConnected: z.literal(true), driver: z.string().optional(), delayMs: ms.default(0), ...withTimeout }),
]);

export const SignalStepSchema = z.strictObject({
  signal: SignalNameSchema,
  // Delay after the previous step (0 for the first).
  afterMs: ms.default(0),
  deliver: DeliverySchema.optional(),
});

export const EscalateSchema = z.strictObject({
  afterMs: ms,
  signal: SignalNameSchema.default('SIGKILL'),
});

export const StrikeSchema = z.strictObject({
  at: TriggerSchema,
  signal: z.union([SignalNameSchema, z.array(z.union([SignalNameSchema, SignalStepSchema])).min(1)]),
  deliver: DeliverySchema.default('process'),
  // Escalation to SIGKILL (to the whole tree) when the target is still alive this long after the
  // first signal; `false` disables it (the run timeout still ends the target).
  escalate: z.union([EscalateSchema, z.literal(false)]).default({ afterMs: 10_000, signal: 'SIGKILL' }),
});

// ---- expectations (checks in harness/check/) --------------------------------------------------

// A log expectation is about the target's own lines unless `source` names a service.
const LogPattern = z.union([regex, z.strictObject({ pattern: regex, stream: z.enum(['stdout', 'stderr', 'any']).default('any'), afterSignal: z.boolean().default(false), source: z.string().min(1).optional() })]);

export const ExpectSchema = z.strictObject({
  exit: z.strictObject({
    codes: z.array(z.number().int()).optional(),
    signals: z.array(SignalNameSchema).optional(),
  }).refine((e) => (e.codes?.length ?? 0) + (e.signals?.length ?? 0) > 0, 'give at least one of `codes` or `signals`').optional(),
  timeToExitMs: z.strictObject({ max: ms, from: z.enum(['first-signal', 'last-signal']).default('first-signal') }).optional(),
  noEscalation: z.boolean().optional(),
  // true: no process of the target's tree may outlive its leader. `{ withinMs }`: members that
  // exit by themselves within that grace after the leader's exit pass (the report says how long
  // each lived); members the strike's or the escalation's SIGKILL hit are awaited, never orphans.
  noOrphans: z.union([z.boolean(), z.strictObject({ withinMs: z.number().int().min(0).max(60_000) })]).default(true),
  // Directory that file globs are relative to (default: the target's cwd).
  filesDir: z.string().optional(),
  filesAbsent: z.array(z.string().min(1)).optional(),
  filesIntact: z.array(z.union([z.string().min(1), z.strictObject({
    path: z.string().min(1), size: z.number().int().nonnegative().optional(),
    minSize: z.number().int().nonnegative().optional(), sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })])).optional(),
  logPresent: z.array(LogPattern).optional(),
  logAbsent: z.array(LogPattern).optional(),
  logOrder: z.array(LogPattern).min(2).optional(),
  stillRunning: z.strictObject({ forMs: ms }).optional(),
  inspect: z.array(z.strictObject({
    name: z.string().min(1), command: z.string().min(1), args: z.array(z.string()).default([]),
    cwd: z.string().optional(), exitCode: z.number().int().default(0), stdoutMatches: regex.optional(),
    timeoutMs: ms.default(10_000),
  })).optional(),
  // Load checks.
  drain: z.union([z.boolean(), z.strictObject({ driver: z.string().optional() })]).optional(),
  // Work started later than graceMs after the first signal must be rejected (503) or refused;
  // within the grace it may also be served; never reset, timed out or left hanging.
  newWorkRejected: z.union([z.boolean(), z.strictObject({ graceMs: ms.default(50), driver: z.string().optional() })]).optional(),
  noReset: z.union([z.boolean(), z.strictObject({ driver: z.string().optional() })]).optional(),
  readinessFlip: z.strictObject({ withinMs: ms, driver: z.string().optional() }).optional(),
  wsCloseCodes: z.strictObject({ codes: z.array(z.number().int()).min(1).default([1001]), driver: z.string().optional() }).optional(),
  wsGoodbye: z.strictObject({ pattern: regex, driver: z.string().optional() }).optional(),
  errorRate: z.strictObject({ maxPct: z.number().min(0).max(100), driver: z.string().optional() }).optional(),
});

export const RequiresSchema = z.strictObject({
  // Commands that must be on PATH; when one is missing the run is `skipped` with the reason.
  commands: z.array(z.string().min(1)).default([]),
  platforms: z.array(z.string()).optional(),
});

// One fully resolved run: what the executor needs, with defaults filled in.
export const RunSpecSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  target: TargetSchema,
  services: z.array(ServiceSchema).default([]),
  load: z.array(LoadSchema).default([]),
  strike: StrikeSchema.optional(),
  expect: ExpectSchema.default({ noOrphans: true }),
  timeoutMs: ms.default(60_000),
  requires: RequiresSchema.optional(),
  tags: z.array(z.string()).default([]),
});

export type RunSpec = z.output<typeof RunSpecSchema>;
export type TargetSpec = z.output<typeof TargetSchema>;
export type ServiceSpec = z.output<typeof ServiceSchema>;
export type ReadySpec = z.output<typeof ReadySchema>;
export type LoadSpec = z.output<typeof LoadSchema>;
export type TriggerSpec = z.output<typeof TriggerSchema>;
export type StrikeSpec = z.output<typeof StrikeSchema>;
export type SignalStepSpec = z.output<typeof SignalStepSchema>;
export type ExpectSpec = z.output<typeof ExpectSchema>;

// Scenario input types (what users write: defaults optional).
export type TargetInput = z.input<typeof TargetSchema>;
export type LoadInput = z.input<typeof LoadSchema>;
export type StrikeInput = z.input<typeof StrikeSchema>;
export type ExpectInput = z.input<typeof ExpectSchema>;
export type ServiceInput = z.input<typeof ServiceSchema>;
export type TriggerInput = z.input<typeof TriggerSchema>;
export type MatrixValue = string | number | boolean | null | { [k: string]: unknown } | unknown[];
export type Params = Record<string, MatrixValue>;
type OrFn<T> = T | ((params: Params) => T);

// A scenario as written in a *.scenario.ts file. In YAML/JSON the same fields, minus functions.
export interface ScenarioInput {
  name: string;
  description?: string;
  target: OrFn<TargetInput>;
  services?: OrFn<ServiceInput[]>;
  load?: OrFn<LoadInput[]>;
  strike?: OrFn<StrikeInput>;
  expect?: OrFn<ExpectInput>;
  // Each key's values multiply into runs. Keys `signal`, `at`, `deliver`, `escalate` override the
  // strike's fields; any `{key}` in a string of the scenario is replaced by the value.
  matrix?: Record<string, MatrixValue[]>;
  timeoutMs?: number;
  requires?: z.input<typeof RequiresSchema>;
  tags?: string[];
}

// The outer shape of a scenario file's scenario, checked before functions are called.
export const ScenarioShapeSchema = z.strictObject({
  name: z.string().min(1).regex(/^[^\[\]]+$/, 'must not contain [ or ] (they delimit run parameters)'),
  description: z.string().optional(),
  target: z.unknown(),
  services: z.unknown().optional(),
  load: z.unknown().optional(),
  strike: z.unknown().optional(),
  expect: z.unknown().optional(),
  matrix: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'matrix keys must be identifiers'), z.array(z.unknown()).min(1)).optional(),
  timeoutMs: ms.optional(),
  requires: z.unknown().optional(),
  tags: z.array(z.string()).optional(),
});
