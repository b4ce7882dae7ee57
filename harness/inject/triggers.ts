import fs from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import { round3 } from '../clock.js';
import { HarnessError } from '../errors.js';
import type { HistoryEvent } from '../history/events.js';
import type { History } from '../history/writer.js';
import { loadClients } from '../load/kinds.js';
import { loadName } from '../load/name.js';
import { compileUserRegex } from '../scenario/regex.js';
import type { Delivery, SignalName } from '../history/events.js';
import type { LoadSpec, TriggerSpec } from '../scenario/schema.js';
import { triggerKinds } from '../scenario/triggers/index.js';
import type { TriggerArm, TriggerKind } from '../scenario/triggers/kind.js';
import type { CapturedLine } from '../target/lines.js';
import { countNow, onRings, type CountKind, type CountWatch } from './count-watch.js';
import type { DeliveryTarget } from './signal.js';
import { signalOnCount, type Scheduled } from './striker.js';

export interface TriggerContext {
  history: History;
  now: () => number;
  spawnT: number;
  readyT: number;
  // The run's seed: the random trigger draws from it, so `--seed` replays the same moment.
  seed: number;
  // Every output line, including those the history drops under a flood; lines printed before the
  // trigger was armed are replayed first.
  onLine: (listener: (stream: 'stdout' | 'stderr', line: CapturedLine) => void) => () => void;
  cwd: string;
  load: readonly LoadSpec[];
  signal: AbortSignal;
  // The live counters of the drivers that run in a worker, by driver name (their operations reach
  // the history only when the load stops), and the bell their writers ring (load/counters.ts).
  counters?: ReadonlyMap<string, SharedArrayBuffer>;
  bell?: SharedArrayBuffer;
  // The plan's first signal: with it, a count trigger whose drivers all count in shared memory is
  // evaluated on the strike thread, which sends this signal the moment the count is reached.
  strikeThread?: StrikeThreadSend;
}

// The first step of a signal plan, for the strike thread to send (strike.ts firstStepOf).
export interface StrikeThreadSend {
  origin: string;
  signal: SignalName;
  deliver: Delivery;
  // The first step's own delay after the trigger.
  afterMs: number;
  target: DeliveryTarget;
  // The target's port: the accept view is read right after the signal (accept:snapshot).
  snapshotPort?: number;
}

export interface Fired {
  trigger: string;
  reason: string;
  // The moment to strike at, on the run clock.
  intendedT: number;
  // When the condition was met (count triggers), and the count then and when the signal was sent.
  atT?: number;
  count?: number;
  countAtSend?: number;
  // The first signal, already sent from the strike thread (count triggers).
  sent?: Scheduled;
}

// The registry entry of a trigger (scenario/triggers/index.ts), by the field that names it.
function kindOf(spec: TriggerSpec): { kind: TriggerKind; arm: TriggerArm<TriggerSpec> } {
  const kind = triggerKinds.find((k) => k.key in spec) as TriggerKind | undefined;
  if (!kind) throw new HarnessError('INTERNAL', `strike.at: no trigger kind for ${JSON.stringify(Object.keys(spec))}`);
  return { kind, arm: kind.arm as TriggerArm<TriggerSpec> };
}

// A human description of a trigger, used in run names and reports.
export function describeTrigger(spec: TriggerSpec): string {
  return kindOf(spec).kind.describe(spec);
}

// Resolves when the trigger fires, with the intended strike time. Never resolves after the run's
// signal aborts (the caller races it with the target's exit and a deadline).
export function armTrigger(spec: TriggerSpec, ctx: TriggerContext): Promise<Fired> {
  const { kind, arm } = kindOf(spec);
  const trigger = kind.describe(spec);
  if (arm.on === 'suite') return Promise.reject(new HarnessError('INTERNAL', `strike.at.${kind.key} reached a single run: it is expanded by the suite (harness/sweep/)`));
  if (arm.on === 'strike') return loadTrigger(spec, arm, trigger, ctx);
  if ('delay' in arm) {
    const d = arm.delay(spec, { seed: ctx.seed, random: seededRandom(ctx.seed) });
    return Promise.resolve({ trigger, reason: d.reason, intendedT: (d.from === 'ready' ? ctx.readyT : ctx.spawnT) + d.ms });
  }
  if (arm.watch === 'file') return fileTrigger(spec as Extract<TriggerSpec, { onFile: string }>, trigger, ctx);
  const log = spec as Extract<TriggerSpec, { onLog: string }>;
  const re = compileUserRegex(log.onLog, 'strike.at.onLog');
  return new Promise((resolve) => {
    let fired = false;
    const off = ctx.onLine((stream, line) => {
      if (fired || (log.stream !== 'any' && log.stream !== stream) || !re.test(line.line)) return;
      fired = true;
      resolve({ trigger, reason: `${stream}: ${line.line.slice(0, 200)}`, intendedT: line.t + log.delayMs });
    });
    if (fired) off();
    else ctx.signal.addEventListener('abort', off, { once: true });
  });
}

function fileTrigger(spec: Extract<TriggerSpec, { onFile: string }>, trigger: string, ctx: TriggerContext): Promise<Fired> {
  return new Promise((resolve) => {
    const look = (): void => {
      if (ctx.signal.aborted) return;
      const t = ctx.now();
      for (const rel of globSync(spec.onFile, { cwd: ctx.cwd, dot: true, onlyFiles: true })) {
        let size: number;
        try {
          size = fs.statSync(path.resolve(ctx.cwd, rel)).size;
        } catch {
          continue;
        }
        if (size >= spec.minSize) {
          resolve({ trigger, reason: `${rel} is ${size} B`, intendedT: t + spec.delayMs });
          return;
        }
      }
      setTimeout(look, 5).unref();
    };
    look();
  });
}

type CountArm = Extract<TriggerArm<TriggerSpec>, { on: 'strike' }>;

// The count a load trigger watches, over which drivers, and how it reads in `reason`.
function countPlan(spec: TriggerSpec, arm: CountArm, ctx: TriggerContext): { kind: CountKind; atLeast: number; delayMs: number; drivers: string[]; text: (n: number) => string } {
  const only = (spec as { driver?: string }).driver;
  // Without `driver`: every load entry but the readiness probes (their polls are not load).
  const entries = ctx.load.map((l, i) => ({ ...loadName(l, i), options: (l as unknown as Record<string, Record<string, unknown>>)[loadName(l, i).kind] ?? {}, clients: loadClients(l) }))
    .filter((e) => (only !== undefined ? e.name === only : e.kind !== 'probe'));
  return { kind: arm.count, atLeast: arm.goal(spec, entries), delayMs: (spec as { delayMs?: number }).delayMs ?? 0, drivers: entries.map((e) => e.name), text: arm.text };
}

function loadTrigger(spec: TriggerSpec, arm: CountArm, trigger: string, ctx: TriggerContext): Promise<Fired> {
  const plan = countPlan(spec, arm, ctx);
  // Nothing to wait for (wsAllConnected over no ws/browser entry): never fires.
  if (plan.atLeast <= 0) return new Promise(() => {});
  const blocks = plan.drivers.flatMap((d) => ctx.counters?.get(d) ?? []);
  const inHistory = new Set(plan.drivers.filter((d) => !ctx.counters?.has(d)));
  const watch: CountWatch = { blocks, kind: plan.kind, atLeast: plan.atLeast };
  // Every watched driver counts in shared memory: the strike thread watches and sends at once.
  if (inHistory.size === 0 && blocks.length > 0 && ctx.strikeThread) return strikeOnCount(watch, plan, trigger, ctx, ctx.strikeThread);
  return mainThreadCount(watch, inHistory, plan, trigger, ctx);
}

// The count trigger on the strike thread: the first signal is sent from there the moment the count
// is reached (intended: that moment plus the delays; actual: the send).
async function strikeOnCount(watch: CountWatch, plan: ReturnType<typeof countPlan>, trigger: string, ctx: TriggerContext, send: StrikeThreadSend): Promise<Fired> {
  const r = await signalOnCount({ watch, delayMs: plan.delayMs, afterMs: send.afterMs, signal: send.signal, deliver: send.deliver, target: send.target, origin: send.origin, now: ctx.now, abort: ctx.signal, ...(send.snapshotPort !== undefined ? { snapshotPort: send.snapshotPort } : {}) });
  // Aborted: never resolves (the caller's race has ended the wait).
  if (!r) return new Promise(() => {});
  return {
    trigger, reason: `${plan.text(r.reached.count)} (${r.countAtSend} when the signal was sent, from the strike thread)`,
    intendedT: round3(r.reached.reachedT + plan.delayMs), atT: r.reached.reachedT, count: r.reached.count, countAtSend: r.countAtSend, sent: r.sent,
  };
}

// The count trigger on the main thread (a watched driver counts only in the history: browser,
// probe): drivers with shared counters are read on every ring of the counter bell, the others
// counted from their events.
function mainThreadCount(watch: CountWatch, inHistory: ReadonlySet<string>, plan: ReturnType<typeof countPlan>, trigger: string, ctx: TriggerContext): Promise<Fired> {
  return new Promise((resolve) => {
    // The same counters as load/counters.ts, counted from the events of these drivers.
    const n: Record<CountKind, number> = { started: 0, ended: 0, inFlight: 0, acceptedInFlight: 0, responses: 0, errors: 0, connectedClients: 0, openConns: 0, messages: 0 };
    const accepted = new Set<string>();
    let lastT = -Infinity;
    // In flight means accepted: an operation begun while its connection was still connecting
    // counts once that connection is established (conn:open), which may be recorded before it.
    const openConns = new Set<string>();
    const connecting = new Map<string, Set<string>>();
    const connOf = new Map<string, string>();
    const see = (e: HistoryEvent): void => {
      if (!('driver' in e) || !inHistory.has(e.driver)) return;
      if (e.type === 'request:start') {
        n.started++;
        n.inFlight++;
        const key = `${e.driver}/${e.id}`;
        const conn = `${e.driver}/${e.conn ?? ''}`;
        if (e.connecting && !openConns.has(conn)) {
          let waiting = connecting.get(conn);
          if (!waiting) connecting.set(conn, (waiting = new Set()));
          waiting.add(key);
          connOf.set(key, conn);
        } else accepted.add(key);
      } else if (e.type === 'conn:open') {
        const conn = `${e.driver}/${e.conn}`;
        if (!openConns.has(conn)) n.openConns++;
        openConns.add(conn);
        for (const key of connecting.get(conn) ?? []) {
          accepted.add(key);
          connOf.delete(key);
        }
        connecting.delete(conn);
      } else if (e.type === 'conn:close') {
        if (openConns.delete(`${e.driver}/${e.conn}`)) n.openConns--;
      } else if (e.type === 'request:end') {
        n.ended++;
        n.inFlight--;
        const key = `${e.driver}/${e.id}`;
        accepted.delete(key);
        const conn = connOf.get(key);
        if (conn !== undefined) {
          connOf.delete(key);
          connecting.get(conn)?.delete(key);
        }
        if (e.outcome !== 'ok') n.errors++;
        if (e.status !== undefined || e.outcome === 'ok') n.responses++;
      } else if (e.type === 'ws:open') n.connectedClients++;
      else if (e.type === 'ws:close') n.connectedClients--;
      else if (e.type === 'ws:message') n.messages++;
      else return;
      n.acceptedInFlight = accepted.size;
      lastT = e.t;
    };
    const historyCount = (): number => n[plan.kind];
    let done = false;
    const check = (): boolean => {
      if (done) return true;
      // Shared counters alone: the exact moment the goal was reached; mixed: the last change seen.
      const shared = watch.blocks.length ? countNow({ ...watch, atLeast: inHistory.size ? 0 : plan.atLeast }) : undefined;
      const count = historyCount() + (shared?.count ?? 0);
      if (count < plan.atLeast) return false;
      done = true;
      off();
      const at = Math.max(lastT, shared?.reached?.reachedT ?? -Infinity);
      resolve({ trigger, reason: plan.text(count), intendedT: round3(at + plan.delayMs), atT: at, count });
      return true;
    };
    // Replay what already happened (the load started before the trigger was armed), then follow.
    for (const e of ctx.history.events()) see(e);
    const off = ctx.history.subscribe((e) => {
      see(e);
      check();
    });
    ctx.signal.addEventListener('abort', off, { once: true });
    if (check()) return;
    if (watch.blocks.length && ctx.bell) void onRings(ctx.bell, check, { signal: ctx.signal });
  });
}

// A number in [0, 1) drawn from the seed (mulberry32): the same seed gives the same moment.
export function seededRandom(seed: number): number {
  let a = (seed >>> 0) + 0x6d2b79f5;
  a = Math.imul(a ^ (a >>> 15), a | 1);
  a ^= a + Math.imul(a ^ (a >>> 7), a | 61);
  return ((a ^ (a >>> 14)) >>> 0) / 4294967296;
}
