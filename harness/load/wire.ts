import type { LoadProgressEvent, LoadSummaryEvent, OpOutcome } from '../history/events.js';
import type { LoadEntry, WorkerKindName } from './kind-registry.js';

// The messages between a load worker (worker-entry.ts) and its host (worker-host.ts), and the
// worker's operation records: tuples, batched by the event cap (op-sink.ts) and written by the
// worker into its history segment (segment.ts); none of them crosses to the main thread.

// request:start: [0, id, t, conn, op, connecting (1 = started before its connection was established)]
export type StartItem = [0, string, number, string | null, string | null, 0 | 1];
// request:end: [1, id, t, outcome, status, bytes, error, sentT, firstByteT]
export type EndItem = [1, string, number, OpOutcome, number | null, number | null, string | null, number | null, number | null];
// Any other load event, without `driver` (the host adds it): ws:open, ws:message, ws:close,
// conn:open, conn:close, load:error.
export type EventItem = [2, WireEvent];
export type WireItem = StartItem | EndItem | EventItem;

export type WireEvent =
  | { type: 'ws:open'; t: number; client: string }
  | { type: 'ws:message'; t: number; client: string; data: string }
  | { type: 'ws:close'; t: number; client: string; code: number; reason: string; byClient: boolean }
  | { type: 'conn:open'; t: number; conn: string; localPort?: number }
  | { type: 'conn:close'; t: number; conn: string; how: 'fin' | 'reset' | 'error' | 'local'; error?: string }
  | { type: 'load:error'; t: number; message: string }
  | Omit<LoadSummaryEvent, 'driver'>
  | Omit<LoadProgressEvent, 'driver'>;

// Totals of what the event cap folded into load:summary events (see op-sink.ts), split by whether
// the operations started before the first signal.
export interface FoldCounts {
  ops: number;
  outcomes: Partial<Record<OpOutcome, number>>;
  bytes: number;
}
export interface FoldSummary {
  before: FoldCounts;
  after: FoldCounts;
  messages: number;
  // 1 when an operation was folded that ended after the signal (the signal's notice reached the
  // worker more than holdMs late: an overloaded machine); 0 otherwise.
  lateFolds: number;
}

// The event cap's knobs, per driver (the policy is described in op-sink.ts).
export interface SinkLimits {
  batchMs: number;
  holdMs: number;
  summaryMs: number;
  progressMs: number;
  detailFirst: number;
  failureDetail: number;
  afterSignalDetail: number;
  messagesFirst: number;
  messagesAfterSignal: number;
  lastMessagesPerClient: number;
}

export interface WorkerInput {
  kind: WorkerKindName;
  spec: LoadEntry;
  host: string;
  port: number | undefined;
  name: string;
  clockOrigin: string;
  limits?: Partial<SinkLimits>;
  // The worker's history segment (segment.ts), created empty by the host.
  segmentFile: string;
  // The driver's live counters and the process's bell (counters.ts).
  counters: SharedArrayBuffer;
  bell: SharedArrayBuffer;
  // Fault injection for tests (SHUTDOWN_DRILL_FAULT_LOAD_EXIT_AFTER): the worker thread exits,
  // unsealed, once this many operations have ended.
  faultExitAfterOps?: number;
  // Warmed ahead of its start (worker-host.ts warm()): load the engine, then wait for `start`.
  waitForStart?: true;
}

// What the worker says of its segment when it seals it.
export interface SegmentSeal { file: string; events: number; error?: string }

export type ToWorker =
  | { type: 'start' }
  | { type: 'signal'; t: number }
  | { type: 'target-exit'; t: number }
  // The endpoint removal lag is over (endpoint:removed): start no new operation.
  | { type: 'endpoints-removed'; t: number }
  | { type: 'stop' };

export type FromWorker =
  // The engine is created (its modules loaded), at `t` on the run clock.
  | { type: 'warm'; t: number }
  | { type: 'ready'; detail: Record<string, unknown> }
  | { type: 'ready-failed'; message: string }
  | { type: 'finished' }
  // The last message: the segment is complete (sealed) up to here.
  | { type: 'stopped'; stats: Record<string, unknown>; summary: FoldSummary; segment: SegmentSeal };
