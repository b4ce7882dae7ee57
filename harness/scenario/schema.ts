import { z } from 'zod';
import { DELIVERIES, SIGNAL_NAMES } from '../history/events.js';
import { checkFields, checkNames } from '../check/index.js';
import type { CheckName } from '../check/registry.js';
import { fieldKit, ms, positiveInt, regex, signalName } from './fields.js';
import { triggerKinds } from './triggers/index.js';
import { SweepAnchorSchema, SweepSchema } from './triggers/sweep.js';
import type { LoadEntry } from '../load/kind-registry.js';
import { loadKinds } from '../load/kinds.js';

// The scenario model, validated with zod. Strict objects: an unknown field is an error (a typo in
// a CI gate must not silently weaken it). The JSON Schema for YAML editors is generated from this
// (see scenario/json-schema.ts, `npm run schema`).

// The signal names' one list lives in history/events.ts; `signalNames` is the same array.
export { SIGNAL_NAMES as signalNames };
export { SweepAnchorSchema, SweepSchema };
export const SignalNameSchema = signalName;
export const DeliverySchema = z.enum(DELIVERIES);


// ---- target and services ----------------------------------------------------------------------

export const ReadySchema = z.strictObject({
  port: z.literal(true).optional().describe('Ready once `{port}` accepts a TCP connection (probed every `intervalMs`)'),
  http: z.union([z.string().min(1), z.strictObject({ path: z.string().min(1).describe('Path of the GET on `{port}`, e.g. `/healthz`'), status: z.array(z.number().int()).optional().describe('Status codes that mean ready; unset: any 2xx') })]).optional().describe('Ready once `GET http://127.0.0.1:{port}<path>` answers 2xx (or a listed `status`); a path, or `{ path, status }`'),
  log: regex.optional().describe('Ready once a line of output matches this RE2 pattern (a line printed before the wait counts too)'),
  file: z.string().min(1).optional().describe('Ready once this path exists (relative to the target\'s cwd)'),
  afterMs: ms.optional().describe('Ready no sooner than this many ms after the spawn (with other probes: all must hold)'),
  timeoutMs: ms.default(10_000).describe('Deadline in ms for readiness (capped by the run\'s `timeoutMs`); missed: the run is an `error` (TARGET_NOT_READY)'),
  intervalMs: ms.default(20).describe('Pause in ms between probe rounds (a `log` probe is met at once when its line arrives)'),
});

const ProcessSpecShape = {
  command: z.string().min(1).describe('Program to run (looked up on PATH), e.g. `node`, `{python}`, `./server`; placeholders are filled in'),
  args: z.array(z.string()).default([]).describe('Its arguments; `{port}`, `{tmp}`, `{dir}` and the other placeholders are filled in'),
  cwd: z.string().optional().describe('Working directory; unset: the harness\'s working directory'),
  env: z.record(z.string(), z.string()).default({}).describe('Environment variables added to the harness\'s own environment'),
  shell: z.boolean().default(false).describe('Run `command` through a shell (`/bin/sh -c`), so it may be a command line'),
  ready: ReadySchema.optional().describe('How to tell it is ready; every probe given must hold; unset: ready as soon as it is spawned'),
};

export const TargetSchema = z.strictObject({
  ...ProcessSpecShape,
  outputLines: positiveInt.default(5_000).describe('Lines of output kept in the history per stream (the first half and the last half); the rest are counted as dropped'),
  // Run the target as PID 1 of a PID namespace of its own, as a container without an init does
  // (the kernel then drops signals whose action is the default; see harness/target/pid1.ts).
  pid1: z.boolean().default(false).describe('Run the target as PID 1 of a PID namespace of its own, as in a container without an init (Linux, root; else the run is `skipped`)'),
  // With pid1: what runs as PID 1 — `none` (the target itself), `tini`, `dumb-init`, or a command
  // line (split on spaces) that takes the target's argv after it.
  init: z.string().min(1).default('none').describe('With `pid1`: what runs as PID 1: `none` (the target), `tini`, `dumb-init`, or a command line that takes the target\'s argv after it'),
});

export const ServiceSchema = z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9-]*$/i).describe('Service name (letters, digits, `-`): `{port.<name>}` is its port, `source: <name>` its log lines'), ...ProcessSpecShape });

// ---- load (drivers in harness/load/) ------------------------------------------------------------

// One `load` entry: `{ <kind>: {...} }` for each kind of the registry (harness/load/kinds.ts), in its
// order; each kind's fields come from its own file (harness/load/kinds/<kind>.ts).
type EntrySchema<T> = T extends { kind: infer K extends string; schema(kit: never): infer S extends z.ZodType } ? z.ZodObject<{ [P in K]: S }, z.core.$strict> : never;
type LoadEntrySchemas = { -readonly [I in keyof typeof loadKinds]: EntrySchema<(typeof loadKinds)[I]> };
const loadEntrySchemas = loadKinds.map((k) => z.strictObject({ [k.kind]: k.schema(fieldKit) })) as unknown as LoadEntrySchemas;
export const LoadSchema = z.union(loadEntrySchemas);
const loadKindList = loadKinds.map((k) => `\`${k.kind}\``).join(', ');

// ---- triggers and the strike ----------------------------------------------------------------

// The trigger union, one member per trigger kind of the registry (triggers/index.ts).
type TriggerSchemas = { -readonly [I in keyof typeof triggerKinds]: (typeof triggerKinds)[I] extends { schema: infer S } ? S : never };
export const TriggerSchema = z.union(triggerKinds.map((k) => k.schema) as unknown as TriggerSchemas);

export const SignalStepSchema = z.strictObject({
  signal: SignalNameSchema.describe('Signal of this step'),
  afterMs: ms.default(0).describe('Delay in ms after the previous step\'s actual send (0 for the first)'),
  deliver: DeliverySchema.optional().describe('How this step is delivered; unset: the strike\'s `deliver`'),
});

export const EscalateSchema = z.strictObject({
  afterMs: ms.describe('Grace period in ms, counted from the first signal\'s actual send'),
  signal: SignalNameSchema.default('SIGKILL').describe('Signal sent to every process of the target\'s tree when the grace is over'),
  deliver: DeliverySchema.optional().describe('Who gets the escalation: `tree` (the default: every process, as docker and the kubelet do) or `process` (the main process only, systemd KillMode=process)'),
});

// A Kubernetes preStop hook: a command run beside the target (its cwd and env) or a sleep.
export const PreStopSchema = z.union([
  z.strictObject({ exec: z.array(z.string()).min(1).describe('The hook\'s argv, run in the target\'s cwd and env; SIGTERM follows its exit') }),
  z.strictObject({ sleepS: z.number().finite().nonnegative().describe('Seconds the hook sleeps before SIGTERM (the `sleep` action)') }),
]);

export const StrikeSchema = z.strictObject({
  at: TriggerSchema.describe('When to strike: one trigger (armed once every load has started)'),
  signal: z.union([SignalNameSchema, z.array(z.union([SignalNameSchema, SignalStepSchema])).min(1)]).describe('One signal, or a sequence of steps (e.g. a double Ctrl+C: `[SIGINT, { signal: SIGINT, afterMs: 300 }]`)'),
  deliver: DeliverySchema.default('process').describe('`process`: the leader only (docker stop, kubectl); `group`: its process group (Ctrl+C); `tree`: every descendant (systemd)'),
  escalate: z.union([EscalateSchema, z.literal(false)]).default({ afterMs: 10_000, signal: 'SIGKILL' }).describe('Kill the whole tree when the target is still alive `afterMs` after the first signal (no-escalation then fails); `false`: never (the run\'s `timeoutMs` still ends it)'),
  preStop: PreStopSchema.optional().describe('A hook run when the strike fires, before the first signal (Kubernetes preStop); the escalation\'s grace is then counted from the hook\'s start'),
  endpointLagMs: ms.optional().describe('The load keeps arriving this long after the strike fires (endpoint removal lag), then starts no new work'),
  killRestOnExit: z.boolean().optional().describe('SIGKILL every process left in the tree as soon as the main process exits (systemd KillMode=mixed)'),
  waitRestOnExit: z.boolean().optional().describe('The stop waits for every process left in the tree after the main process exits, until the escalation\'s moment, then escalates on what is left (systemd KillMode=control-group); those that exit by then are not orphans'),
});

// ---- expectations (checks in harness/check/) --------------------------------------------------

// A known failure: the run is expected to fail in exactly these checks (its verdict stays `fail`;
// its `outcome` is `expected`). Read as `{ checks, reason?, link? }` by report/outcome.ts markOf (no
// transform here: it would drop `expect`'s default from the JSON Schema and the reference).
const FailingCheckNames = z.array(z.enum(checkNames as readonly CheckName[] as [CheckName, ...CheckName[]])).min(1).refine((a) => new Set(a).size === a.length, 'list each check once');
export const KnownFailureSchema = z.union([
  FailingCheckNames,
  z.strictObject({
    checks: FailingCheckNames.describe('The checks that are known to fail this run (every failed check must be listed)'),
    reason: z.string().min(1).optional().describe('Why the run is known to fail (shown in reports)'),
    link: z.string().min(1).optional().describe('An issue or upstream bug tracking the failure (shown in reports)'),
  }),
]).describe('Known failure: the checks this run is expected to fail in; the run then counts as `expected` (exit 0) while its verdict stays `fail`; a marked run that passes is `unexpected` ("fixed: remove the mark")');
export type KnownFailure = z.output<typeof KnownFailureSchema>;

// `expect`: every check's fields, in the list's order (check/index.ts allChecks; each check file
// declares its own), then the fields that belong to no check.
export const ExpectSchema = z.strictObject({
  ...checkFields(),
  fails: KnownFailureSchema.optional(),
});

// ---- platform presets (expanded by scenario/platform.ts) ---------------------------------------

const seconds = z.number().finite().nonnegative();
export const PlatformSchema = z.union([
  z.strictObject({
    'docker-stop': z.strictObject({
      timeoutS: seconds.optional().describe('`docker stop -t`: seconds between the stop signal and SIGKILL (default 10)'),
      stopSignal: SignalNameSchema.optional().describe('The image\'s STOPSIGNAL (default SIGTERM)'),
    }).describe('`docker stop`: the stop signal to PID 1 of a container without an init, SIGKILL after the timeout'),
  }),
  z.strictObject({
    kubernetes: z.strictObject({
      terminationGracePeriodSeconds: seconds.optional().describe('Seconds from the start of preStop to SIGKILL (default 30)'),
      preStop: PreStopSchema.optional().describe('The container\'s preStop hook: `{ exec: [argv] }` or `{ sleepS: N }`'),
      endpointLagMs: ms.optional().describe('How long load keeps arriving after the pod starts terminating (endpoint propagation; default 1000)'),
    }).describe('Pod deletion: preStop, then SIGTERM to PID 1, SIGKILL to every process at the end of the grace'),
  }),
  z.strictObject({
    systemd: z.strictObject({
      killMode: z.enum(['control-group', 'mixed', 'process']).describe('KillMode=: who gets SIGTERM and who gets SIGKILL'),
      timeoutStopSec: seconds.optional().describe('TimeoutStopSec=: seconds from SIGTERM to SIGKILL (default 90)'),
      sendSIGHUP: z.boolean().optional().describe('SendSIGHUP=: SIGHUP right after SIGTERM (default false)'),
    }).describe('`systemctl stop` of a service unit, as systemd.kill(5) describes it'),
  }),
]);

// What a preset set in the run, recorded in the resolved spec (spec.json).
export const PlatformExpansionSchema = z.strictObject({
  preset: z.enum(['docker-stop', 'kubernetes', 'systemd']).describe('The preset that was expanded'),
  set: z.record(z.string(), z.unknown()).describe('Each field the preset filled in (path -> value)'),
  kept: z.array(z.string()).describe('Fields the scenario set itself, which the preset left as they were'),
  warnings: z.array(z.string()).describe('What the preset noticed (a shell as PID 1, ...)'),
});

export const RequiresSchema = z.strictObject({
  commands: z.array(z.string().min(1)).default([]).describe('Commands that must be on PATH; when one is missing the run is `skipped` with the reason'),
  platforms: z.array(z.string()).optional().describe('Platforms (`process.platform` names) the scenario is for; accepted, not yet enforced'),
});

// One fully resolved run: what the executor needs, with defaults filled in.
export const RunSpecSchema = z.strictObject({
  name: z.string().min(1).describe('Scenario name; runs are named `<name>[<param>=<value>,...]`'),
  description: z.string().optional().describe('What the scenario shows, in a sentence'),
  target: TargetSchema.describe('The program under test, launched in its own process group and container'),
  services: z.array(ServiceSchema).default([]).describe('Programs started before the target and ended after it (e.g. a server it talks to)'),
  load: z.array(LoadSchema).default([]).describe(`Load drivers started after the target is ready, one per entry: ${loadKindList}`),
  strike: StrikeSchema.optional().describe('When and how to signal the target; unset: the target is expected to exit by itself'),
  expect: ExpectSchema.default({ noOrphans: true }).describe('The checks the run is judged by'),
  timeoutMs: ms.default(60_000).describe('Budget in ms for the whole run; over it the target is killed and the run is an `error` (RUN_TIMEOUT)'),
  requires: RequiresSchema.optional().describe('What the machine must have; else the run is `skipped`, never passed'),
  tags: z.array(z.string()).default([]).describe('Labels for this scenario\'s runs'),
  platform: PlatformSchema.optional().describe('Stop the target as a platform does: exactly one of `docker-stop`, `kubernetes`, `systemd` (see scenario/platform.ts)'),
  platformExpansion: PlatformExpansionSchema.optional().describe('Written by the harness: what the platform preset set (do not write it yourself)'),
});

export type RunSpec = z.output<typeof RunSpecSchema>;
// The checks read this type from check/registry.ts (they cannot import this file: it imports them).
// (Named apart: inside the block, `RunSpec` would be registry.ts's own.)
type SchemaRunSpec = RunSpec;
declare module '../check/registry.js' {
  interface RunSpecRegistry { runSpec: SchemaRunSpec }
}
export type TargetSpec = z.output<typeof TargetSchema>;
export type ServiceSpec = z.output<typeof ServiceSchema>;
export type ReadySpec = z.output<typeof ReadySchema>;
export type LoadSpec = z.output<typeof LoadSchema>;
// Compile-time: the load code's entry type (load/kind-registry.ts, from the kind files) is this one.
const loadSpecIsLoadEntry: [LoadSpec] extends [LoadEntry] ? ([LoadEntry] extends [LoadSpec] ? true : false) : false = true;
void loadSpecIsLoadEntry;
export type TriggerSpec = z.output<typeof TriggerSchema>;
export type SweepSpec = z.output<typeof SweepSchema>;
export type SweepAnchor = z.output<typeof SweepAnchorSchema>;
export type StrikeSpec = z.output<typeof StrikeSchema>;
export type SignalStepSpec = z.output<typeof SignalStepSchema>;
export type ExpectSpec = z.output<typeof ExpectSchema>;
export type PlatformSpec = z.output<typeof PlatformSchema>;
export type PreStopSpec = z.output<typeof PreStopSchema>;
export type PlatformExpansion = z.output<typeof PlatformExpansionSchema>;

// Scenario input types (what users write: defaults optional), with every field's description as
// TSDoc: generated from this file by `npm run docs` (see scenario/reference.ts).
export type { TargetInput, ReadyInput, ServiceInput, LoadInput, StrikeInput, TriggerInput, ExpectInput, LogPatternInput, RequiresInput, ScenarioInput, MatrixValue, Params } from './input-types.js';

// The outer shape of a scenario file's scenario, checked before functions are called.
export const ScenarioShapeSchema = z.strictObject({
  name: z.string().min(1).regex(/^[^\[\]]+$/, 'must not contain [ or ] (they delimit run parameters)'),
  description: z.string().optional(),
  target: z.unknown(),
  services: z.unknown().optional(),
  load: z.unknown().optional(),
  strike: z.unknown().optional(),
  expect: z.unknown().optional(),
  matrix: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'matrix keys must be identifiers'), z.array(z.unknown()).min(1)).optional().describe('Each key\'s values multiply into runs; keys `signal`, `at`, `deliver`, `escalate` override the strike\'s fields; `{key}` in any string of the scenario is replaced by the value'),
  timeoutMs: ms.optional(),
  requires: z.unknown().optional(),
  tags: z.array(z.string()).optional(),
  platform: z.unknown().optional().superRefine((v, ctx) => {
    const keys = v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : undefined;
    if (keys && keys.length !== 1) ctx.addIssue({ code: 'custom', message: `give exactly one of \`docker-stop\`, \`kubernetes\`, \`systemd\`, got ${keys.length ? keys.map((k) => `\`${k}\``).join(', ') : 'none'}` });
  }),
}).superRefine((s, ctx) => {
  if (s.platform !== undefined && s.strike === undefined) {
    ctx.addIssue({ code: 'custom', path: ['strike'], message: 'a platform preset stops the target when `strike.at` fires: add `strike: { at: { afterReadyMs: 500 } }` (or another trigger)' });
  }
});
