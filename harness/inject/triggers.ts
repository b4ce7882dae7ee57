import fs from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import { HarnessError } from '../errors.js';
import type { HistoryEvent } from '../history/events.js';
import type { History } from '../history/writer.js';
import { loadName } from '../load/name.js';
import { compileUserRegex } from '../scenario/regex.js';
import type { LoadSpec, TriggerSpec } from '../scenario/schema.js';
import type { CapturedLine } from '../target/lines.js';

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
}

export interface Fired {
  trigger: string;
  reason: string;
  // The moment to strike at, on the run clock.
  intendedT: number;
}

// A human description of a trigger, used in run names and reports.
export function describeTrigger(spec: TriggerSpec): string {
  if ('afterReadyMs' in spec) return `${spec.afterReadyMs}ms after ready`;
  if ('afterSpawnMs' in spec) return `${spec.afterSpawnMs}ms after spawn`;
  if ('onLog' in spec) return `on log /${spec.onLog}/`;
  if ('onFile' in spec) return `on file ${spec.onFile}${spec.minSize ? ` >= ${spec.minSize} B` : ''}`;
  if ('randomInMs' in spec) return `random in [${spec.randomInMs[0]}, ${spec.randomInMs[1]}] ms after ready`;
  if ('afterResponses' in spec) return `after ${spec.afterResponses} responses`;
  if ('inFlightAtLeast' in spec) return `while >= ${spec.inFlightAtLeast} in flight`;
  if ('sweep' in spec) return `swept over +${spec.sweep.fromMs}..+${spec.sweep.toMs} ms after ${typeof spec.sweep.anchor === 'string' ? spec.sweep.anchor : `log /${spec.sweep.anchor.log}/`}`;
  return 'when all WebSocket clients are connected';
}

// Resolves when the trigger fires, with the intended strike time. Never resolves after the run's
// signal aborts (the caller races it with the target's exit and a deadline).
export function armTrigger(spec: TriggerSpec, ctx: TriggerContext): Promise<Fired> {
  const trigger = describeTrigger(spec);
  if ('afterReadyMs' in spec) return Promise.resolve({ trigger, reason: 'delay', intendedT: ctx.readyT + spec.afterReadyMs });
  if ('afterSpawnMs' in spec) return Promise.resolve({ trigger, reason: 'delay', intendedT: ctx.spawnT + spec.afterSpawnMs });
  if ('randomInMs' in spec) {
    const [min, max] = spec.randomInMs;
    const offset = min + seededRandom(ctx.seed) * (max - min);
    return Promise.resolve({ trigger, reason: `seed ${ctx.seed} drew ${offset.toFixed(3)} ms`, intendedT: ctx.readyT + offset });
  }
  if ('onLog' in spec) {
    const re = compileUserRegex(spec.onLog, 'strike.at.onLog');
    return new Promise((resolve) => {
      let fired = false;
      const off = ctx.onLine((stream, line) => {
        if (fired || (spec.stream !== 'any' && spec.stream !== stream) || !re.test(line.line)) return;
        fired = true;
        resolve({ trigger, reason: `${stream}: ${line.line.slice(0, 200)}`, intendedT: line.t + spec.delayMs });
      });
      if (fired) off();
      else ctx.signal.addEventListener('abort', off, { once: true });
    });
  }
  if ('onFile' in spec) return fileTrigger(spec, trigger, ctx);
  // A sweep is expanded into runs with concrete triggers (harness/sweep/); it never reaches a run.
  if ('sweep' in spec) return Promise.reject(new HarnessError('INTERNAL', 'strike.at.sweep reached a single run: sweeps are run by the suite (harness/sweep/)'));
  return loadTrigger(spec, trigger, ctx);
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

type LoadTrigger = Extract<TriggerSpec, { afterResponses: number } | { inFlightAtLeast: number } | { wsAllConnected: true }>;

function loadTrigger(spec: LoadTrigger, trigger: string, ctx: TriggerContext): Promise<Fired> {
  const matches = (e: { driver: string }): boolean => spec.driver === undefined || e.driver === spec.driver;
  let expectedClients = 0;
  if ('wsAllConnected' in spec) {
    ctx.load.forEach((l, i) => {
      if (spec.driver !== undefined && loadName(l, i).name !== spec.driver) return;
      if ('ws' in l) expectedClients += l.ws.clients;
      if ('browser' in l) expectedClients += l.browser.pages;
    });
  }
  return new Promise((resolve) => {
    const inFlight = new Set<string>();
    let responses = 0;
    let open = 0;
    // Drivers fold most finished operations into counts under load (the event cap); their live
    // counters (load:progress) still count every one.
    const endedByDriver = new Map<string, number>();
    const ended = (): number => Math.max(responses, [...endedByDriver.values()].reduce((a, b) => a + b, 0));
    // In flight means accepted: an operation begun while its connection was still connecting
    // counts once that connection is established (conn:open), which may be recorded before it.
    const openConns = new Set<string>();
    const connecting = new Map<string, Set<string>>();
    const connOf = new Map<string, string>();
    const check = (e: HistoryEvent): Fired | undefined => {
      if (e.type === 'request:start' && matches(e)) {
        const key = `${e.driver}/${e.id}`;
        const conn = `${e.driver}/${e.conn ?? ''}`;
        if (e.connecting && !openConns.has(conn)) {
          let waiting = connecting.get(conn);
          if (!waiting) connecting.set(conn, (waiting = new Set()));
          waiting.add(key);
          connOf.set(key, conn);
          return undefined;
        }
        inFlight.add(key);
      } else if (e.type === 'conn:open' && matches(e)) {
        const conn = `${e.driver}/${e.conn}`;
        openConns.add(conn);
        const waiting = connecting.get(conn);
        if (!waiting) return undefined;
        connecting.delete(conn);
        for (const key of waiting) {
          inFlight.add(key);
          connOf.delete(key);
        }
      } else if (e.type === 'conn:close' && matches(e)) {
        openConns.delete(`${e.driver}/${e.conn}`);
        return undefined;
      } else if (e.type === 'request:end' && matches(e)) {
        inFlight.delete(`${e.driver}/${e.id}`);
        const key = `${e.driver}/${e.id}`;
        const conn = connOf.get(key);
        if (conn !== undefined) {
          connOf.delete(key);
          connecting.get(conn)?.delete(key);
        }
        if (e.status !== undefined || e.outcome === 'ok') responses++;
      } else if (e.type === 'load:progress' && matches(e)) endedByDriver.set(e.driver, e.ended);
      else if (e.type === 'ws:open' && matches(e)) open++;
      else if (e.type === 'ws:close' && matches(e)) open--;
      else return undefined;
      if ('afterResponses' in spec && ended() >= spec.afterResponses) return { trigger, reason: `${ended()} responses`, intendedT: e.t + spec.delayMs };
      if ('inFlightAtLeast' in spec && inFlight.size >= spec.inFlightAtLeast) return { trigger, reason: `${inFlight.size} in flight`, intendedT: e.t };
      if ('wsAllConnected' in spec && expectedClients > 0 && open >= expectedClients) return { trigger, reason: `${open} clients connected`, intendedT: e.t + spec.delayMs };
      return undefined;
    };
    // Replay what already happened (the load started before the trigger was armed), then follow.
    for (const e of ctx.history.events()) {
      const fired = check(e);
      if (fired) return resolve(fired);
    }
    const off = ctx.history.subscribe((e) => {
      const fired = check(e);
      if (fired) {
        off();
        resolve(fired);
      }
    });
    ctx.signal.addEventListener('abort', off, { once: true });
  });
}

// A number in [0, 1) drawn from the seed (mulberry32): the same seed gives the same moment.
export function seededRandom(seed: number): number {
  let a = (seed >>> 0) + 0x6d2b79f5;
  a = Math.imul(a ^ (a >>> 15), a | 1);
  a ^= a + Math.imul(a ^ (a >>> 7), a | 61);
  return ((a ^ (a >>> 14)) >>> 0) / 4294967296;
}
