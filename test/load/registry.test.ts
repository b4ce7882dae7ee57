// The load-kind registry (load/kinds.ts loadKinds) is the single source of the load kinds: every
// kind file in harness/load/kinds/ is listed once; the scenario schema accepts exactly the listed
// kinds; createLoadDriver and the worker dispatch handle every one on its thread; and a kind added
// as the issue says (its file plus one line in the list, in a copy of harness/) is accepted by the
// schema, named, dispatched to a real load worker or the main thread, and recorded, with no other
// file touched.
// Guards: a second list of kinds anywhere (a hard-coded union, switch or name list). Checked: with
// worker-entry.ts's dispatch put back as the old switch (http, ws, tcp), the copy's case failed
// (start() rejected: "no worker load kind"); with LoadSchema written out as the old five-way union,
// the copy's case failed (the scenario with a `tick` load was rejected).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';
import { Clock } from '../../harness/clock.js';
import { History } from '../../harness/history/writer.js';
import { createLoadDriver } from '../../harness/load/index.js';
import { MainThreadLoad } from '../../harness/load/main-thread-load.js';
import type { LoadKind } from '../../harness/load/kind.js';
import { loadClients, loadKindNames, loadKinds } from '../../harness/load/kinds.js';
import { loadName } from '../../harness/load/name.js';
import { OpSink } from '../../harness/load/op-sink.js';
import { WorkerLoad } from '../../harness/load/worker-host.js';
import { scenarioJsonSchema } from '../../harness/scenario/json-schema.js';
import { LoadSchema, RunSpecSchema } from '../../harness/scenario/schema.js';
import { addToList, copyHarness, ROOT, runInCopy } from '../helpers/harness-copy.js';

const kindsDir = path.join(ROOT, 'harness/load/kinds');
const kinds = loadKinds as readonly LoadKind[];

t.test('every kind file in harness/load/kinds/ is in the list, once, under its own name', async (t) => {
  const defined: string[] = [];
  for (const file of fs.readdirSync(kindsDir).filter((f) => f.endsWith('.ts')).sort()) {
    const mod = (await import(pathToFileURL(path.join(kindsDir, file)).href)) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      const k = value as Partial<LoadKind>;
      if (k && typeof k === 'object' && typeof k.kind === 'string' && typeof k.schema === 'function') {
        defined.push(k.kind);
        t.ok(kinds.includes(value as LoadKind), `${file}: ${k.kind} is listed in loadKinds`);
        t.equal(file, `${k.kind}.ts`, `the file of ${k.kind} is named for it`);
      }
    }
  }
  t.same([...defined].sort(), [...loadKindNames].sort(), 'the list holds exactly the defined kinds');
  t.equal(new Set(loadKindNames).size, loadKindNames.length, 'no kind is listed twice');
});

t.test('the schema accepts exactly the listed kinds, and names them <kind>#<index>', async (t) => {
  const scenario = (scenarioJsonSchema().anyOf as Array<{ properties: { load?: { items: { anyOf: Array<{ properties: object }> } } } }>)[0]!;
  const loadItem = scenario.properties.load!.items.anyOf;
  t.same(loadItem.map((s) => Object.keys(s.properties)), loadKindNames.map((k) => [k]), 'the JSON Schema lists one entry per kind, in order');
  for (const [i, kind] of loadKindNames.entries()) {
    const entry = LoadSchema.parse({ [kind]: {} });
    t.same(Object.keys(entry), [kind], `{ ${kind}: {} } is accepted (defaults filled in)`);
    t.same(loadName(entry, i), { kind, name: `${kind}#${i}` });
    t.same(loadName(LoadSchema.parse({ [kind]: { name: 'mine' } }), i), { kind, name: 'mine' });
  }
  const unknown = RunSpecSchema.safeParse({ name: 'x', target: { command: 'true' }, load: [{ smtp: {} }] });
  t.equal(unknown.success, false, 'a kind not in the list is rejected');
  t.same(loadClients(LoadSchema.parse({ ws: { clients: 7 } })) + loadClients(LoadSchema.parse({ browser: { pages: 2 } })) + loadClients(LoadSchema.parse({ http: {} })), 9, 'clients: ws clients + browser pages, none for http');
});

t.test('createLoadDriver puts every listed kind on its thread, and each kind creates its engine or driver', async (t) => {
  const clock = new Clock();
  const history = new History({ clock });
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  for (const [i, kind] of kinds.entries()) {
    const entry = LoadSchema.parse({ [kind.kind]: {} });
    const ctx = { history, clockOrigin: clock.origin.toString(), host: '127.0.0.1', port: 1, name: `${kind.kind}#${i}`, runDir: '/tmp', signal: abort.signal };
    const driver = createLoadDriver(entry, ctx);
    t.equal(driver.kind, kind.kind);
    t.equal(driver.name, ctx.name);
    t.ok(kind.thread === 'worker' ? driver instanceof WorkerLoad : driver instanceof MainThreadLoad, `${kind.kind} runs on the ${kind.thread} thread`);
    await driver.stop();
    // What the worker (worker-entry.ts) or start() calls: the lazily imported engine or driver.
    const spec = (entry as Record<string, never>)[kind.kind];
    if (kind.thread === 'worker') {
      const sink = new OpSink({ clock, post: () => {} });
      const engine = await kind.createEngine(spec, { sink, clock, host: '127.0.0.1', port: 1, name: ctx.name });
      t.equal(typeof engine.start, 'function', `${kind.kind}: an engine`);
      await engine.stop();
    } else {
      const made = await kind.createDriver(spec, ctx);
      t.same([made.kind, made.name], [kind.kind, ctx.name], `${kind.kind}: a driver`);
      await made.stop();
    }
  }
  t.throws(() => createLoadDriver({ smtp: {} } as never, { history, clockOrigin: '0', host: '127.0.0.1', port: 1, name: 'x', runDir: '/tmp', signal: abort.signal }), { code: 'LOAD_FAILED', message: `load "x": unknown load kind \`smtp\`; expected one of ${loadKindNames.join(', ')}` });
});

t.test('a main-thread load: nothing is imported before start(); stop() first ends it; a driver that cannot be created fails start()', async (t) => {
  let created = 0;
  const never = new MainThreadLoad('probe', { name: 'p' }, async () => {
    created++;
    throw new Error('no such module');
  });
  await never.stop();
  await never.done;
  await t.rejects(never.start(), { code: 'LOAD_FAILED', message: 'load "p" (probe): start() after stop() or a second start()' });
  t.equal(created, 0, 'stopped before start(): the driver was never created');
  const broken = new MainThreadLoad('probe', { name: 'p' }, async () => {
    created++;
    throw new Error('no such module');
  });
  await t.rejects(broken.start(), { code: 'LOAD_FAILED', message: 'load "p" (probe): could not create the driver: no such module' });
  await broken.done;
  await broken.stop();
  t.equal(created, 1);
});

// A kind added the documented way, in a copy of harness/: the kind's file and one line in the list.
const TICK = `import type { Engine } from '../engine.js';
import { defineLoadKind } from '../kind.js';

// A test kind: \`count\` operations, each ok, recorded by an engine in a load worker.
export const tick = defineLoadKind({
  kind: 'tick',
  thread: 'worker',
  schema: ({ z, positiveInt, loadName }) => z.strictObject({
    name: loadName,
    count: positiveInt.default(3).describe('Operations recorded'),
    label: z.string().min(1).describe('The operations\\' op'),
  }).describe('Test load: count operations'),
  detail: (spec): Record<string, unknown> => ({ count: spec.count, label: spec.label }),
  async createEngine(spec, env): Promise<Engine> {
    const { isMainThread } = await import('node:worker_threads');
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    return {
      finished,
      async start() {
        for (let i = 0; i < spec.count; i++) {
          env.sink.start(\`t\${i}\`, undefined, \`\${spec.label} main=\${isMainThread}\`);
          env.sink.end(\`t\${i}\`, 'ok');
        }
        finish();
        return {};
      },
      windDown() {},
      async stop() {},
      stats: () => ({ ticks: spec.count }),
    };
  },
});

declare module '../kind-registry.js' {
  interface LoadKindRegistry { tick: typeof tick }
}
`;

const DRIVE = `import path from 'node:path';
import { Clock } from './harness/clock.js';
import { History } from './harness/history/writer.js';
import { createLoadDriver } from './harness/load/index.js';
import { loadName } from './harness/load/name.js';
import { RunSpecSchema } from './harness/scenario/schema.js';

const base = { name: 'x', target: { command: 'true' } };
const missing = RunSpecSchema.safeParse({ ...base, load: [{ tick: { count: 2 } }] });
const spec = RunSpecSchema.parse({ ...base, load: [{ http: {} }, { tick: { count: 4, label: 'L' } }] });
const clock = new Clock();
const history = new History({ clock });
const abort = new AbortController();
const l = spec.load[1];
const { kind, name } = loadName(l, 1);
const driver = createLoadDriver(l, { history, clockOrigin: clock.origin.toString(), host: '127.0.0.1', port: undefined, name, runDir: path.dirname(process.argv[1]), signal: abort.signal });
let started = 'ok';
try {
  await driver.start();
  await driver.done;
} catch (error) {
  started = error.message;
}
await driver.stop();
const events = history.events().map((e) => ({ type: e.type, driver: e.driver, id: e.id, op: e.op, outcome: e.outcome, kind: e.kind, detail: e.detail }));
process.stdout.write(JSON.stringify({ missingLabel: missing.success ? null : missing.error.issues.flatMap((i) => (i.errors ?? [[i]]).flat().map((e) => [...i.path, ...(e === i ? [] : e.path)].join('.'))), kind, name, driverKind: driver.kind, started, events }));
`;

t.test('a kind added as its file plus one line in the list is accepted, named and run in a load worker', async (t) => {
  const copy = copyHarness(t, 'drill-kinds-');
  // The two changes: the kind's file, and its line in the list (with its import).
  fs.writeFileSync(path.join(copy, 'harness/load/kinds/tick.ts'), TICK);
  addToList(t, path.join(copy, 'harness/load/kinds.ts'), 'probe', 'tick', "import { tick } from './kinds/tick.js';", /\n {2}probe,\n\] as const;/);
  fs.writeFileSync(path.join(copy, 'drive.ts'), DRIVE);
  // Run under tap's TypeScript loader, which load workers inherit (tsx's does not on Node 20).
  const { code, stdout, stderr } = await runInCopy(t, copy, 'drive.ts');
  t.equal(code, 0, stderr);
  const out = JSON.parse(stdout) as { missingLabel: string[] | null; kind: string; name: string; driverKind: string; started: string; events: Array<Record<string, unknown>> };
  t.ok(out.missingLabel?.includes('load.0.tick.label'), `the kind's strict fields are validated (its required \`label\` missing): ${out.missingLabel?.join(', ')}`);
  t.same([out.kind, out.name, out.driverKind], ['tick', 'tick#1', 'tick'], 'its default name is <kind>#<index>');
  t.equal(out.started, 'ok');
  t.same(out.events.filter((e) => e.type === 'load:started'), [{ type: 'load:started', driver: 'tick#1', kind: 'tick', detail: { count: 4, label: 'L' } }], 'its detail, written by the host');
  const ends = out.events.filter((e) => e.type === 'request:end');
  t.same(ends.map((e) => [e.driver, e.id, e.outcome]), [0, 1, 2, 3].map((i) => ['tick#1', `t${i}`, 'ok']), 'its engine\'s operations, in the history');
  t.same([...new Set(out.events.filter((e) => e.type === 'request:start').map((e) => e.op))], ['L main=false'], 'recorded in a worker thread');
  t.equal(out.events.at(-1)?.type, 'load:stopped');
  // The real tree is untouched: `tick` is not a kind here.
  t.equal(RunSpecSchema.safeParse({ name: 'x', target: { command: 'true' }, load: [{ tick: { label: 'L' } }] }).success, false);
});
