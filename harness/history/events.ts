// The history's event types: a discriminated union keyed on `type`. Every event carries `t`, the
// milliseconds since the run's origin on the run's one monotonic clock (see clock.ts).
// Checks and reporters read these; only the executing side writes them.

// The signals a plan may send: the one list (the scenario schema validates against it). SIGCONT:
// systemd sends it right after the stop signal (systemd.kill(5)), see scenario/platform.ts.
export const SIGNAL_NAMES = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGKILL', 'SIGCONT'] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];

// Where a signal is delivered: the process, its group (a terminal's Ctrl+C) or every descendant.
export const DELIVERIES = ['process', 'group', 'tree'] as const;
export type Delivery = (typeof DELIVERIES)[number];

// ---- core events ----------------------------------------------------------------------------

export interface RunStartEvent {
  type: 'run:start'; t: number;
  runId: string; scenario: string; params: Record<string, unknown>; seed: number;
  originWall: string; harnessPid: number;
  // How the run's processes were held (see harness/target/containment.ts).
  containment?: 'cgroup-v2' | 'cgroup-v1' | 'marker';
}
export interface ServiceSpawnedEvent {
  type: 'service:spawned'; t: number; name: string; pid: number; command: string; args: string[];
}
export interface ServiceReadyEvent { type: 'service:ready'; t: number; name: string }
export interface TargetSpawnedEvent {
  type: 'target:spawned'; t: number;
  pid: number; pgid: number; command: string; args: string[]; cwd: string; port?: number;
}
// The target runs as PID 1 of its own PID namespace: `pid` is PID 1's pid on the host (signals
// with deliver: process go there), `init` what runs as PID 1 (`none`: the target itself).
export interface TargetPid1Event { type: 'target:pid1'; t: number; pid: number; init: string }
export interface TargetReadyEvent { type: 'target:ready'; t: number; probe: string; readyMs: number }
export interface TargetNotReadyEvent {
  type: 'target:not-ready'; t: number; probe: string; reason: string; timeoutMs: number;
}
export interface LogLineEvent {
  type: 'log:line'; t: number; stream: 'stdout' | 'stderr'; line: string; source?: string;
}
export interface LogDroppedEvent {
  type: 'log:dropped'; t: number; stream: 'stdout' | 'stderr'; dropped: number; bytes: number;
}
export interface ProcessSeenEvent {
  type: 'process:seen'; t: number; pid: number; ppid: number; pgid: number; sid: number; cmd: string;
}
export interface ProcessGoneEvent { type: 'process:gone'; t: number; pid: number }
// A process seen as a fork of its parent (same command line) ran exec: its command from now on.
export interface ProcessExecEvent { type: 'process:exec'; t: number; pid: number; cmd: string }
export interface TriggerArmedEvent { type: 'trigger:armed'; t: number; trigger: string }
export interface TriggerFiredEvent {
  type: 'trigger:fired'; t: number; trigger: string; reason: string;
  // The moment the strike is intended for (>= t for delays; = t for event-driven triggers).
  intendedT: number;
  // Count triggers: the count when the condition was met (at t) and when the first signal was sent.
  count?: number;
  countAtSend?: number;
  // Where the condition was evaluated and the first signal sent from (count triggers).
  thread?: 'strike' | 'main';
}
export interface SignalSentEvent {
  type: 'signal:sent'; t: number;
  signal: SignalName; deliver: Delivery;
  // When the plan meant to send it, and when kill() was actually called (t is the same as sentT).
  intendedT: number; sentT: number;
  step: number; escalation: boolean; pids: number[]; error?: string;
  // Why a signal outside the plan's timing was sent (KillMode=mixed's SIGKILL after the main exit).
  reason?: string;
}
// A preStop hook (strike.preStop) started / ended. `overran`: still running at the end of the
// grace (the first signal then went at once); `cut`: ended by the target's exit or the run's end.
export interface PreStopStartEvent { type: 'prestop:start'; t: number; hook: string }
export interface PreStopEndEvent {
  type: 'prestop:end'; t: number; startT: number; durationMs: number; overran: boolean;
  code?: number | null; signal?: string | null; error?: string; cut?: boolean;
}
// The load stopped starting new work: `lagMs` after the strike fired at `fromT` (endpoint removal lag).
export interface EndpointRemovedEvent { type: 'endpoint:removed'; t: number; fromT: number; lagMs: number }
// Something the platform preset noticed about the run (a shell as PID 1, ...).
export interface PlatformWarningEvent { type: 'platform:warning'; t: number; preset: string; message: string }
// How the platform would report the target's exit (`docker wait` prints 137, ...).
export interface PlatformExitEvent { type: 'platform:exit'; t: number; preset: string; status: number; reads: string }
// A zombie child of the namespace's PID 1 (never reaped while seen); `pid` as the namespace
// numbers it (see target/zombies.ts).
export interface ZombieSeenEvent { type: 'zombie:seen'; t: number; pid: number; cmd: string }
// The zombie watch's totals at the target's exit: how many scans, and each zombie seen.
export interface ZombiesSummaryEvent {
  type: 'zombies:summary'; t: number; scans: number; pid1: number;
  zombies: Array<{ pid: number; cmd: string; firstT: number; lastT: number; scans: number }>;
}
// The kernel's view, right after the first signal, of the client connections to the target's port:
// `accepted` (the application had accept()ed them) and `queued` (still in the listener's backlog,
// never accepted), by the client's local port (observe/accept-queue.ts). What `drain` uses to tell
// the operations the server had accepted from the connects it never took. `beforeT`: when a read
// made before the signal began (combined in); a client connection established before it and in
// neither list had no socket on the server's side at all (a SYN cookie or dropped ACK of a full
// backlog): never accepted either.
export interface AcceptSnapshotEvent {
  type: 'accept:snapshot'; t: number; port: number; accepted: number[]; queued: number[]; beforeT?: number; error?: string;
}
export interface FileSeenEvent {
  type: 'file:seen'; t: number; path: string; size: number; change: 'created' | 'grew' | 'removed';
}
export interface FilesSnapshotEvent {
  type: 'files:snapshot'; t: number; purpose: 'absent' | 'intact'; globs: string[];
  // Every kind of entry (see observe/files.ts); `kind` absent in histories written before it.
  files: Array<{ path: string; size: number; sha256?: string; kind?: 'file' | 'dir' | 'symlink' | 'socket' | 'fifo' | 'device' | 'other' }>;
  // The directory, when it did not exist: nothing could be looked at (no evidence either way).
  dirMissing?: string;
  // True when the harness had killed processes of the run (timeout, still-running, interrupt)
  // before this snapshot: it then shows a state the harness helped make.
  afterHarnessKill?: boolean;
}
export interface TargetExitEvent {
  type: 'target:exit'; t: number;
  code: number | null; signal: string | null;
  // What a shell would report: the code, or 128 + the signal number.
  shellCode: number;
  // True when the harness ended the target itself (teardown, still-running, interruption).
  byHarness: boolean;
}
export interface TargetAliveEvent { type: 'target:alive'; t: number; sinceSignalMs: number }
export interface OrphanFoundEvent {
  type: 'orphan:found'; t: number; pid: number; ppid: number; pgid: number; sid: number; cmd: string;
  escapedGroup: boolean;
  // Who left it: the target (absent) or an inspect command (`inspect:<name>`).
  source?: string;
  // How long it had outlived its leader when found (ms).
  livedMs?: number;
}
// A member that outlived the leader and then exited by itself within the `noOrphans.withinMs` grace.
// `unitStop`: it exited while the stop waited for the whole tree (strike.waitRestOnExit).
export interface OrphanExitedEvent { type: 'orphan:exited'; t: number; pid: number; cmd: string; livedMs: number; unitStop?: boolean }
// A member that outlived the leader only because a SIGKILL sent to it (by the strike or the
// escalation) was still being carried out: awaited, never an orphan.
export interface OrphanDyingEvent { type: 'orphan:dying'; t: number; pid: number; cmd: string; goneAfterMs: number | null }
export interface OrphanKilledEvent {
  type: 'orphan:killed'; t: number; pids: number[]; survivors: number[];
  // True only when the container was seen empty after the kill: the ground for saying "killed".
  verified?: boolean;
}
export interface HarnessStopEvent {
  type: 'harness:stop'; t: number; reason: 'still-running' | 'teardown' | 'interrupted' | 'timeout' | 'error';
}
export interface InspectResultEvent {
  type: 'inspect:result'; t: number; name: string; command: string; args: string[];
  code: number | null; signal: string | null; stdout: string; stderr: string; error?: string;
}
// `step`: the title of the run step (harness/run/steps.ts) it failed or timed out in, or whose teardown failed.
export interface RunErrorEvent { type: 'run:error'; t: number; code: string; message: string; step?: string }
export interface RunSkipEvent { type: 'run:skip'; t: number; reason: string }
export interface RunEndEvent { type: 'run:end'; t: number }

// ---- load events (written by load drivers, see harness/load/) ---------------------------------

export type OpOutcome = 'ok' | 'http-error' | 'rejected' | 'refused' | 'reset' | 'timeout' | 'closed';

// `warmT`: when a worker driver's thread had loaded its engine, warmed ahead of the start while the
// target got ready (absent: loaded after the start, or a main-thread driver).
export interface LoadStartedEvent { type: 'load:started'; t: number; driver: string; kind: string; detail?: Record<string, unknown>; warmT?: number }
export interface LoadStoppedEvent { type: 'load:stopped'; t: number; driver: string; stats?: Record<string, unknown> }
export interface LoadErrorEvent { type: 'load:error'; t: number; driver: string; message: string }
// One operation: an HTTP request, a WebSocket message awaiting its ack, a TCP command awaiting its reply.
// Phases: an operation with `connecting` started before its connection `conn` was established
// (accepted at that connection's conn:open); without it, it started on an open connection.
// request:end's `sentT` is when the request was fully written, `firstByteT` when the first byte of
// the answer arrived (when the driver knows them).
export interface RequestStartEvent {
  type: 'request:start'; t: number; driver: string; id: string; conn?: string; op?: string; connecting?: true;
}
export interface RequestEndEvent {
  type: 'request:end'; t: number; driver: string; id: string; outcome: OpOutcome;
  status?: number; bytes?: number; error?: string; sentT?: number; firstByteT?: number;
}
// A connection established (TCP handshake done, as the client sees it); `localPort` is the client's
// end, matched against accept:snapshot.
export interface ConnOpenEvent { type: 'conn:open'; t: number; driver: string; conn: string; localPort?: number }
export interface ConnCloseEvent {
  type: 'conn:close'; t: number; driver: string; conn: string; how: 'fin' | 'reset' | 'error' | 'local';
  error?: string;
}
export interface WsOpenEvent { type: 'ws:open'; t: number; driver: string; client: string }
export interface WsMessageEvent { type: 'ws:message'; t: number; driver: string; client: string; data: string }
export interface WsCloseEvent {
  type: 'ws:close'; t: number; driver: string; client: string; code: number; reason: string; byClient: boolean;
}
export interface ProbeStatusEvent {
  type: 'probe:status'; t: number; driver: string; url: string; status: number | null; error?: string; ms: number;
}
// Operations folded into counts instead of per-operation events (the event cap, see
// harness/load/recorder.ts): all of them started and ended in [fromT, toT], before the first signal.
export interface LoadSummaryEvent {
  type: 'load:summary'; t: number; driver: string; fromT: number; toT: number;
  ops: number; outcomes: Partial<Record<OpOutcome, number>>; bytes: number; messages: number;
}
// Live cumulative counters of one driver (every operation, detailed or summarized), emitted at most
// every 50 ms while they change: what load-based triggers should count.
export interface LoadProgressEvent {
  type: 'load:progress'; t: number; driver: string; started: number; ended: number; inFlight: number;
}

export type HistoryEvent =
  | RunStartEvent | ServiceSpawnedEvent | ServiceReadyEvent
  | TargetSpawnedEvent | TargetReadyEvent | TargetNotReadyEvent
  | LogLineEvent | LogDroppedEvent | ProcessSeenEvent | ProcessExecEvent | ProcessGoneEvent
  | TriggerArmedEvent | TriggerFiredEvent | SignalSentEvent | AcceptSnapshotEvent
  | FileSeenEvent | FilesSnapshotEvent | TargetExitEvent | TargetAliveEvent
  | TargetPid1Event | PreStopStartEvent | PreStopEndEvent | EndpointRemovedEvent | PlatformWarningEvent | PlatformExitEvent
  | ZombieSeenEvent | ZombiesSummaryEvent | OrphanFoundEvent | OrphanExitedEvent | OrphanDyingEvent | OrphanKilledEvent | HarnessStopEvent
  | InspectResultEvent | RunErrorEvent | RunSkipEvent | RunEndEvent
  | LoadStartedEvent | LoadStoppedEvent | LoadErrorEvent
  | RequestStartEvent | RequestEndEvent | ConnOpenEvent | ConnCloseEvent
  | WsOpenEvent | WsMessageEvent | WsCloseEvent | ProbeStatusEvent
  | LoadSummaryEvent | LoadProgressEvent;

export type EventType = HistoryEvent['type'];
export type EventOf<T extends EventType> = Extract<HistoryEvent, { type: T }>;
// An event before the history stamps it with `t`.
export type EventInput = HistoryEvent extends infer E ? (E extends HistoryEvent ? Omit<E, 't'> & { t?: number } : never) : never;

// The events of one type, in order.
export function eventsOf<T extends EventType>(events: readonly HistoryEvent[], type: T): EventOf<T>[] {
  return events.filter((e): e is EventOf<T> => e.type === type);
}

// The first event of one type, if any.
export function firstOf<T extends EventType>(events: readonly HistoryEvent[], type: T): EventOf<T> | undefined {
  return events.find((e): e is EventOf<T> => e.type === type);
}
