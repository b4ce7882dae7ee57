import type { HistoryEvent, OpOutcome } from '../../history/events.js';
import { round3 } from '../../clock.js';
import { is2xx } from '../../history/query.js';

// The outcome palette of spans and ticks; spans and ticks store an index into it.
export const OUTCOMES = [
  'ok', 'http-error', 'rejected', 'refused', 'reset', 'timeout', 'closed', 'open', 'error', 'abnormal', 'orphan',
  'stdout', 'stderr', 'not-ready', 'created', 'grew', 'removed',
] as const;
export type Outcome = (typeof OUTCOMES)[number];
const OUTCOME_INDEX = new Map<string, number>(OUTCOMES.map((o, i) => [o, i]));
const oc = (o: Outcome): number => OUTCOME_INDEX.get(o)!;

export type MarkerKind =
  | 'spawn' | 'ready' | 'not-ready' | 'service' | 'trigger' | 'signal' | 'escalation' | 'exit' | 'orphan'
  | 'stop' | 'error' | 'load' | 'files' | 'note';

export interface Marker {
  t: number;
  kind: MarkerKind;
  label: string;
  detail?: string;
  // For triggers and signals: when the plan meant it to happen.
  intendedT?: number;
}

// Spans of one lane, packed into rows: flat [start, end, row, outcome, labelIndex] quintuples.
export interface Lane {
  name: string;
  rows: number;
  spans: number[];
  labels: string[];
}

// Instants of one lane: flat [t, outcome, labelIndex] triples.
export interface TickLane {
  name: string;
  ticks: number[];
  labels: string[];
}

export interface TimelineData {
  t0: number;
  t1: number;
  // First signal sent -> target exit (the fault window, shaded).
  window: [number, number] | null;
  markers: Marker[];
  // Step series: in-flight operations (from request events), open connections / clients, and
  // (when drivers report counters, which include summarized operations) the drivers' own in-flight
  // total, null otherwise.
  series: { t: number[]; inFlight: number[]; open: number[]; counted: number[] | null };
  lanes: Lane[];
  ticks: TickLane[];
  logs: { t: number[]; stream: number[]; line: string[] };
  // What was cut to keep the report small.
  notes: string[];
}

export interface TimelineLimits {
  maxSpansPerLane: number;
  maxRowsPerLane: number;
  maxTicksPerLane: number;
  maxLogLines: number;
  maxLineLength: number;
  maxSeriesPoints: number;
}

export const DEFAULT_LIMITS: TimelineLimits = {
  maxSpansPerLane: 3000,
  maxRowsPerLane: 48,
  maxTicksPerLane: 3000,
  maxLogLines: 2000,
  maxLineLength: 2000,
  maxSeriesPoints: 4000,
};

interface OpenSpan {
  start: number;
  end: number | null;
  outcome: Outcome;
  label: string;
}

const r3 = round3;

// The drawable timeline of one run's history: markers (spawn, ready, signals with intended vs
// actual time, exit, ...), span lanes (requests, connections, WebSocket clients, processes), tick
// lanes (readiness probe, files), the in-flight series and the log lines. Pure; events in any order.
export function buildTimeline(input: readonly HistoryEvent[], limits: TimelineLimits = DEFAULT_LIMITS): TimelineData {
  const events = input.filter((e) => e && typeof e.t === 'number' && Number.isFinite(e.t));
  if (!isSorted(events)) events.sort((a, b) => a.t - b.t);
  const notes: string[] = [];
  const markers: Marker[] = [];
  const requests = new Map<string, Map<string, OpenSpan>>();
  const conns = new Map<string, Map<string, OpenSpan>>();
  const clients = new Map<string, Map<string, OpenSpan & { messages: number }>>();
  const processes = new Map<number, OpenSpan>();
  // Platform phases: the preStop hook, the endpoint removal lag.
  const platform: OpenSpan[] = [];
  const probe: TickLane = { name: 'readiness probe', ticks: [], labels: [] };
  const files: TickLane = { name: 'files', ticks: [], labels: [] };
  const logTicks: TickLane = { name: 'log lines', ticks: [], labels: [] };
  const logs = { t: [] as number[], stream: [] as number[], line: [] as string[] };
  // [t, in-flight delta, open delta, drivers' in-flight total (NaN: unchanged)]
  const changes: Array<[number, number, number, number]> = [];
  const driverInFlight = new Map<string, number>();
  let counted = false;
  let target: OpenSpan | null = null;
  let firstSignal: number | null = null;
  let exitT: number | null = null;
  let logCount = 0;
  const laneOf = <V>(map: Map<string, Map<string, V>>, driver: string): Map<string, V> => {
    let m = map.get(driver);
    if (!m) map.set(driver, (m = new Map()));
    return m;
  };
  const tick = (lane: TickLane, t: number, outcome: Outcome, label: string): void => {
    if (lane.ticks.length / 3 >= limits.maxTicksPerLane) return;
    lane.ticks.push(r3(t), oc(outcome), lane.labels.length);
    lane.labels.push(label);
  };

  for (const e of events) {
    switch (e.type) {
      case 'run:start':
      case 'run:end':
      case 'trigger:armed':
      case 'ws:message':
        if (e.type === 'ws:message') {
          const c = clients.get(e.driver)?.get(e.client);
          if (c) c.messages++;
        }
        break;
      case 'service:spawned':
        markers.push({ t: e.t, kind: 'service', label: `service ${e.name} spawned`, detail: `pid ${e.pid}: ${[e.command, ...e.args].join(' ')}` });
        break;
      case 'service:ready':
        markers.push({ t: e.t, kind: 'service', label: `service ${e.name} ready` });
        break;
      case 'target:spawned':
        markers.push({ t: e.t, kind: 'spawn', label: 'spawn', detail: `pid ${e.pid} (group ${e.pgid}): ${[e.command, ...e.args].join(' ')}${e.port ? ` port ${e.port}` : ''}` });
        target = { start: e.t, end: null, outcome: 'open', label: `target pid ${e.pid}: ${e.command}` };
        break;
      case 'target:ready':
        markers.push({ t: e.t, kind: 'ready', label: 'ready', detail: `${e.probe} after ${r3(e.readyMs)} ms` });
        break;
      case 'target:not-ready':
        markers.push({ t: e.t, kind: 'not-ready', label: 'not ready', detail: `${e.probe}: ${e.reason} (timeout ${e.timeoutMs} ms)` });
        break;
      case 'log:line': {
        logCount++;
        const idx = logs.t.length;
        logs.t.push(r3(e.t));
        logs.stream.push(e.stream === 'stderr' ? 1 : 0);
        const line = e.line.length > limits.maxLineLength ? `${e.line.slice(0, limits.maxLineLength)}… (${e.line.length - limits.maxLineLength} more characters)` : e.line;
        logs.line.push(e.source ? `[${e.source}] ${line}` : line);
        tick(logTicks, e.t, e.stream, `#${idx + 1}`);
        break;
      }
      case 'log:dropped':
        markers.push({ t: e.t, kind: 'note', label: `${e.dropped} ${e.stream} lines dropped`, detail: `${e.bytes} bytes` });
        break;
      case 'process:seen':
        if (!processes.has(e.pid)) processes.set(e.pid, { start: e.t, end: null, outcome: 'ok', label: `pid ${e.pid} (parent ${e.ppid}, group ${e.pgid}): ${e.cmd}` });
        break;
      case 'process:exec': {
        // The lane keeps its start and says what the fork became.
        const p = processes.get(e.pid);
        if (p) p.label = `${p.label} -> exec ${e.cmd}`;
        break;
      }
      case 'process:gone': {
        const p = processes.get(e.pid);
        if (p && p.end === null) p.end = e.t;
        break;
      }
      case 'trigger:fired':
        markers.push({ t: e.t, kind: 'trigger', label: 'trigger', detail: `${e.trigger}: ${e.reason}`, intendedT: e.intendedT });
        break;
      case 'signal:sent': {
        if (!e.escalation && firstSignal === null) firstSignal = e.sentT ?? e.t;
        const late = (e.sentT ?? e.t) - e.intendedT;
        markers.push({
          t: e.sentT ?? e.t,
          kind: e.escalation ? 'escalation' : 'signal',
          label: e.escalation ? `${e.signal} (escalation)` : e.signal,
          detail: `step ${e.step} to ${e.deliver} [${e.pids.join(', ')}]: intended ${r3(e.intendedT)} ms, sent ${r3(e.sentT ?? e.t)} ms (${late >= 0 ? '+' : ''}${r3(late)} ms)${e.error ? `; error: ${e.error}` : ''}`,
          intendedT: e.intendedT,
        });
        if (firstSignal === null) firstSignal = e.sentT ?? e.t;
        break;
      }
      case 'accept:snapshot':
        markers.push({ t: e.t, kind: 'files', label: 'accept queue', detail: `port ${e.port}: ${e.accepted.length} connections accepted, ${e.queued.length} in the listen backlog (never accepted)${e.error ? `; ${e.error}` : ''}` });
        break;
      case 'file:seen':
        tick(files, e.t, e.change, `${e.change} ${e.path} (${e.size} bytes)`);
        break;
      case 'files:snapshot':
        markers.push({ t: e.t, kind: 'files', label: `files (${e.purpose})`, detail: `${e.files.length} files matching ${e.globs.join(', ')}` });
        break;
      case 'target:exit':
        exitT ??= e.t;
        markers.push({
          t: e.t, kind: 'exit',
          label: e.signal ? `exit (${e.signal})` : `exit ${e.code}`,
          detail: `code ${e.code ?? 'none'}, signal ${e.signal ?? 'none'}, shell status ${e.shellCode}${e.byHarness ? ', ended by the harness' : ''}`,
        });
        if (target && target.end === null) {
          target.end = e.t;
          target.outcome = e.byHarness || e.signal === 'SIGKILL' ? 'error' : 'ok';
          target.label += ` -> ${e.signal ?? `code ${e.code}`}`;
        }
        break;
      case 'target:alive':
        markers.push({ t: e.t, kind: 'note', label: 'still running', detail: `${r3(e.sinceSignalMs)} ms after the signal` });
        break;
      case 'orphan:found': {
        markers.push({ t: e.t, kind: 'orphan', label: `orphan ${e.pid}`, detail: `${e.cmd} (parent ${e.ppid}, group ${e.pgid}${e.escapedGroup ? ', escaped the group' : ''})` });
        const p = processes.get(e.pid);
        if (p) p.outcome = 'orphan';
        else processes.set(e.pid, { start: e.t, end: null, outcome: 'orphan', label: `pid ${e.pid}: ${e.cmd}` });
        break;
      }
      case 'orphan:killed': {
        const any = e.pids.length || e.survivors.length;
        const label = !any ? 'orphan sweep: none' : e.survivors.length || e.verified === false ? 'orphans NOT all killed' : 'orphans killed';
        markers.push({ t: e.t, kind: any ? 'orphan' : 'note', label, detail: `killed [${e.pids.join(', ')}]${e.survivors.length ? `, still alive [${e.survivors.join(', ')}]` : ''}${e.verified === undefined ? '' : e.verified ? ' (verified: none left)' : ' (not verified)'}` });
        break;
      }
      case 'target:pid1':
        markers.push({ t: e.t, kind: 'note', label: 'PID 1 of its namespace', detail: `${e.init === 'none' ? 'the target itself' : e.init} runs as PID 1 (host pid ${e.pid}): signals whose action is the default are dropped` });
        break;
      case 'prestop:start':
        markers.push({ t: e.t, kind: 'note', label: 'preStop', detail: `preStop hook started: ${e.hook}` });
        break;
      case 'prestop:end':
        platform.push({ start: e.startT, end: e.t, outcome: e.overran ? 'timeout' : e.cut || e.error || (e.code ?? 0) !== 0 ? 'error' : 'ok', label: `preStop ${r3(e.durationMs)} ms${e.overran ? ', still running at the end of the grace' : ''}${e.cut ? ', cut short' : ''}${e.code !== undefined && e.code !== null ? `, exit ${e.code}` : ''}${e.signal ? `, ${e.signal}` : ''}${e.error ? `: ${e.error}` : ''}` });
        markers.push({ t: e.t, kind: 'note', label: 'preStop done', detail: `${r3(e.durationMs)} ms${e.overran ? ' (overran the grace: SIGTERM now, SIGKILL 2 s later)' : ''}` });
        break;
      case 'endpoint:removed':
        platform.push({ start: e.fromT, end: e.t, outcome: 'open', label: `endpoint lag ${r3(e.lagMs)} ms: load still arriving` });
        markers.push({ t: e.t, kind: 'load', label: 'endpoints removed', detail: `${r3(e.lagMs)} ms after the termination began: no new work from here` });
        break;
      case 'platform:warning':
        markers.push({ t: e.t, kind: 'note', label: `${e.preset}: warning`, detail: e.message });
        break;
      case 'platform:exit':
        markers.push({ t: e.t, kind: 'note', label: `${e.preset}: status ${e.status}`, detail: e.reads });
        break;
      case 'zombie:seen':
        markers.push({ t: e.t, kind: 'orphan', label: `zombie ${e.pid}`, detail: `${e.cmd}: a dead child PID 1 has not reaped` });
        break;
      case 'zombies:summary':
        break;
      case 'orphan:exited':
        markers.push({ t: e.t, kind: 'note', label: `pid ${e.pid} exited`, detail: `${e.cmd}: outlived the leader by ${r3(e.livedMs)} ms, exited by itself within the grace` });
        break;
      case 'orphan:dying':
        markers.push({ t: e.t, kind: 'note', label: `pid ${e.pid} dying of SIGKILL`, detail: `${e.cmd}: ${e.goneAfterMs === null ? 'still being torn down' : `gone ${r3(e.goneAfterMs)} ms after the leader`}` });
        break;
      case 'harness:stop':
        markers.push({ t: e.t, kind: 'stop', label: `harness stop (${e.reason})` });
        break;
      case 'inspect:result':
        markers.push({ t: e.t, kind: 'note', label: `inspect ${e.name}`, detail: `${[e.command, ...e.args].join(' ')} -> ${e.code ?? e.signal}${e.error ? `: ${e.error}` : ''}` });
        break;
      case 'run:error':
        markers.push({ t: e.t, kind: 'error', label: `error ${e.code}`, detail: e.message });
        break;
      case 'run:skip':
        markers.push({ t: e.t, kind: 'note', label: 'skipped', detail: e.reason });
        break;
      case 'load:started':
        markers.push({ t: e.t, kind: 'load', label: `load ${e.driver} started`, detail: e.kind });
        break;
      case 'load:stopped':
        markers.push({ t: e.t, kind: 'load', label: `load ${e.driver} stopped` });
        break;
      case 'load:error':
        markers.push({ t: e.t, kind: 'error', label: `load ${e.driver} error`, detail: e.message });
        break;
      case 'request:start':
        laneOf(requests, e.driver).set(e.id, { start: e.t, end: null, outcome: 'open', label: `${e.op ?? 'op'} ${e.id}${e.conn ? ` on ${e.conn}` : ''}` });
        changes.push([e.t, 1, 0, NaN]);
        break;
      case 'request:end': {
        const s = requests.get(e.driver)?.get(e.id);
        if (s && s.end === null) {
          s.end = e.t;
          s.outcome = outcomeOf(e.outcome);
          s.label += ` -> ${e.outcome}${e.status !== undefined ? ` ${e.status}` : ''}${e.error ? `: ${e.error}` : ''} (${r3(e.t - s.start)} ms)`;
          changes.push([e.t, -1, 0, NaN]);
        }
        break;
      }
      case 'conn:open':
        laneOf(conns, e.driver).set(e.conn, { start: e.t, end: null, outcome: 'open', label: `connection ${e.conn}` });
        changes.push([e.t, 0, 1, NaN]);
        break;
      case 'conn:close': {
        const s = conns.get(e.driver)?.get(e.conn);
        if (s && s.end === null) {
          s.end = e.t;
          s.outcome = e.how === 'fin' ? 'ok' : e.how === 'reset' ? 'reset' : e.how === 'error' ? 'error' : 'closed';
          s.label += ` -> ${e.how}${e.error ? `: ${e.error}` : ''}`;
          changes.push([e.t, 0, -1, NaN]);
        }
        break;
      }
      case 'ws:open':
        laneOf(clients, e.driver).set(e.client, { start: e.t, end: null, outcome: 'open', label: `client ${e.client}`, messages: 0 });
        changes.push([e.t, 0, 1, NaN]);
        break;
      case 'ws:close': {
        const s = clients.get(e.driver)?.get(e.client);
        if (s && s.end === null) {
          s.end = e.t;
          s.outcome = e.byClient ? 'closed' : e.code === 1000 || e.code === 1001 ? 'ok' : e.code === 1006 ? 'abnormal' : 'http-error';
          s.label += ` -> close ${e.code}${e.reason ? ` "${e.reason}"` : ''}${e.byClient ? ' (by the client)' : ''}`;
          changes.push([e.t, 0, -1, NaN]);
        }
        break;
      }
      case 'probe:status': {
        const ok = is2xx(e.status);
        tick(probe, e.t, ok ? 'ok' : e.status === null ? 'error' : 'not-ready', `${e.url} -> ${e.status ?? e.error ?? 'no answer'} (${r3(e.ms)} ms)`);
        break;
      }
      case 'load:summary': {
        const outcomes = Object.entries(e.outcomes).filter(([, n]) => (n ?? 0) > 0) as Array<[OpOutcome, number]>;
        const worst = outcomes.find(([o]) => o !== 'ok')?.[0];
        const list = laneOf(requests, e.driver);
        list.set(`summary@${e.fromT}`, {
          start: e.fromT, end: e.toT, outcome: worst ? outcomeOf(worst) : 'ok',
          label: `${e.ops} operations summarized (${outcomes.map(([o, n]) => `${o} ${n}`).join(', ') || 'no outcome'}), ${e.bytes} bytes${e.messages ? `, ${e.messages} messages` : ''}`,
        });
        break;
      }
      case 'load:progress': {
        driverInFlight.set(e.driver, e.inFlight);
        let total = 0;
        for (const n of driverInFlight.values()) total += n;
        counted = true;
        changes.push([e.t, 0, 0, total]);
        break;
      }
      default:
        assertNever(e);
    }
  }

  let t0 = 0;
  let t1 = 0;
  if (events.length) {
    t0 = Math.min(0, events[0]!.t);
    t1 = events[events.length - 1]!.t;
  }
  if (t1 <= t0) t1 = t0 + 1;

  const lanes: Lane[] = [];
  if (target) lanes.push(pack('target', [target], t1, limits, notes));
  if (platform.length) lanes.push(pack('platform', platform, t1, limits, notes, true));
  for (const [driver, spans] of requests) lanes.push(pack(`requests · ${driver}`, [...spans.values()], t1, limits, notes));
  for (const [driver, spans] of conns) lanes.push(pack(`connections · ${driver}`, [...spans.values()], t1, limits, notes));
  for (const [driver, spans] of clients) {
    const list = [...spans.values()].map((s) => ({ ...s, label: `${s.label}${s.messages ? `, ${s.messages} messages` : ''}` }));
    lanes.push(pack(`ws clients · ${driver}`, list, t1, limits, notes, list.length <= limits.maxRowsPerLane));
  }
  if (processes.size) lanes.push(pack('processes', [...processes.values()], t1, limits, notes, processes.size <= limits.maxRowsPerLane));

  const ticks = [probe, files, logTicks].filter((l) => l.ticks.length > 0);
  for (const l of ticks) if (l.ticks.length / 3 >= limits.maxTicksPerLane) notes.push(`${l.name}: only the first ${limits.maxTicksPerLane} shown`);

  if (logs.t.length > limits.maxLogLines) {
    const head = Math.floor(limits.maxLogLines / 4);
    const tail = limits.maxLogLines - head;
    const cut = logs.t.length - head - tail;
    for (const k of ['t', 'stream', 'line'] as const) {
      const arr = logs[k] as unknown[];
      arr.splice(head, cut);
    }
    notes.push(`log: ${cut} of ${logCount} lines omitted in the middle (first ${head} and last ${tail} shown)`);
  }

  return {
    t0: r3(t0),
    t1: r3(t1),
    window: firstSignal === null ? null : [r3(firstSignal), r3(exitT ?? t1)],
    markers: markers.map((m) => ({ ...m, t: r3(m.t), ...(m.intendedT !== undefined ? { intendedT: r3(m.intendedT) } : {}) })),
    series: stepSeries(changes, t0, t1, limits.maxSeriesPoints, counted),
    lanes,
    ticks,
    logs,
    notes,
  };
}

function isSorted(events: readonly HistoryEvent[]): boolean {
  for (let i = 1; i < events.length; i++) if (events[i]!.t < events[i - 1]!.t) return false;
  return true;
}

function outcomeOf(o: OpOutcome): Outcome {
  return o;
}

// Greedy interval partitioning: each span goes to the first row free at its start (one row per
// span when `oneRowEach`); spans beyond the row limit share the last row.
function pack(name: string, spans: OpenSpan[], t1: number, limits: TimelineLimits, notes: string[], oneRowEach = false): Lane {
  const list = spans.slice().sort((a, b) => a.start - b.start);
  if (list.length > limits.maxSpansPerLane) {
    notes.push(`${name}: ${list.length - limits.maxSpansPerLane} of ${list.length} spans not drawn`);
    list.length = limits.maxSpansPerLane;
  }
  const rowEnds: number[] = [];
  const flat: number[] = [];
  const labels: string[] = [];
  const gap = (t1 || 1) * 0.002;
  list.forEach((s, i) => {
    const end = s.end ?? t1;
    let row: number;
    if (oneRowEach) row = Math.min(i, limits.maxRowsPerLane - 1);
    else {
      row = rowEnds.findIndex((e) => e + gap <= s.start);
      if (row === -1) row = rowEnds.length < limits.maxRowsPerLane ? rowEnds.length : limits.maxRowsPerLane - 1;
    }
    rowEnds[row] = Math.max(rowEnds[row] ?? -Infinity, end);
    flat.push(r3(s.start), r3(end), row, oc(s.outcome), labels.length);
    labels.push(s.end === null ? `${s.label} (no end recorded)` : s.label);
  });
  return { name, rows: Math.max(1, rowEnds.length), spans: flat, labels };
}

function stepSeries(changes: Array<[number, number, number, number]>, t0: number, t1: number, maxPoints: number, withCounted: boolean): TimelineData['series'] {
  const t: number[] = [t0];
  const inFlight: number[] = [0];
  const open: number[] = [0];
  const counted: number[] = [0];
  let a = 0;
  let b = 0;
  let c = 0;
  for (const [time, da, db, abs] of changes) {
    a += da;
    b += db;
    if (!Number.isNaN(abs)) c = abs;
    if (t[t.length - 1] === time) {
      inFlight[inFlight.length - 1] = a;
      open[open.length - 1] = b;
      counted[counted.length - 1] = c;
    } else {
      t.push(r3(time));
      inFlight.push(a);
      open.push(b);
      counted.push(c);
    }
  }
  if (t[t.length - 1]! < t1) {
    t.push(r3(t1));
    inFlight.push(a);
    open.push(b);
    counted.push(c);
  }
  if (t.length > maxPoints) {
    // Too many changes: keep the maximum of each time bucket so peaks stay visible.
    const buckets = Math.floor(maxPoints / 2);
    const width = (t1 - t0) / buckets;
    const out = { t: [] as number[], inFlight: [] as number[], open: [] as number[], counted: [] as number[] };
    let i = 0;
    for (let k = 0; k < buckets && i < t.length; k++) {
      const end = t0 + (k + 1) * width;
      let ma = -1, mb = -1, mc = -1;
      const start = t[i]!;
      while (i < t.length && (t[i]! <= end || k === buckets - 1)) {
        ma = Math.max(ma, inFlight[i]!);
        mb = Math.max(mb, open[i]!);
        mc = Math.max(mc, counted[i]!);
        i++;
      }
      if (ma >= 0) {
        out.t.push(r3(start));
        out.inFlight.push(ma);
        out.open.push(mb);
        out.counted.push(mc);
      }
    }
    return { t: out.t, inFlight: out.inFlight, open: out.open, counted: withCounted ? out.counted : null };
  }
  return { t, inFlight, open, counted: withCounted ? counted : null };
}

function assertNever(e: never): void {
  void e; // an event type this reporter does not know yet: ignored, never fatal
}
