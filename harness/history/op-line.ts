import type { HistoryEvent, OpOutcome } from './events.js';

// A whole operation in one line of a load worker's history segment (load/segment.ts writes it,
// history/lines.ts reads it back as its two events): a JSON array, where an event line is an
// object. At full load the worker writes the first 20,000 operations one by one, most of them
// started and ended between two of its batches; one short line instead of two event lines (no
// keys, half the strings) takes that off the load's own CPU while it runs.
//
// [driver, id, startT, conn, op, connecting (0 | 1), endT, outcome, status, bytes, error, sentT, firstByteT]
// (null where the events leave a field out).

const str = (v: unknown): v is string => typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const strOrNull = (v: unknown): boolean => v === null || str(v);
const numOrNull = (v: unknown): boolean => v === null || num(v);

// The request:start event of an operation (the one shape both the segment's event lines and its
// op lines read back as: load/segment.ts itemEvent, opLineEvents below).
export function requestStartEvent(driver: string, id: string, t: number, conn: string | null, op: string | null, connecting: 0 | 1): HistoryEvent {
  return { type: 'request:start', t, driver, id, ...(conn !== null ? { conn } : {}), ...(op !== null ? { op } : {}), ...(connecting ? { connecting: true as const } : {}) };
}

// The request:end event of an operation (as requestStartEvent).
export function requestEndEvent(
  driver: string, id: string, t: number, outcome: OpOutcome, status: number | null, bytes: number | null, error: string | null, sentT: number | null, firstByteT: number | null,
): HistoryEvent {
  return {
    type: 'request:end', t, driver, id, outcome,
    ...(status !== null ? { status } : {}), ...(bytes !== null ? { bytes } : {}), ...(error !== null ? { error } : {}),
    ...(sentT !== null ? { sentT } : {}), ...(firstByteT !== null ? { firstByteT } : {}),
  };
}

// The request:start and request:end events of an op line, or undefined when `v` is not one.
export function opLineEvents(v: unknown): [HistoryEvent, HistoryEvent] | undefined {
  if (!Array.isArray(v) || v.length !== 13) return undefined;
  const [driver, id, startT, conn, op, connecting, endT, outcome, status, bytes, error, sentT, firstByteT] = v as unknown[];
  if (!str(driver) || !str(id) || !num(startT) || !strOrNull(conn) || !strOrNull(op) || (connecting !== 0 && connecting !== 1)) return undefined;
  if (!num(endT) || !str(outcome) || !numOrNull(status) || !numOrNull(bytes) || !strOrNull(error) || !numOrNull(sentT) || !numOrNull(firstByteT)) return undefined;
  return [
    requestStartEvent(driver, id, startT, conn as string | null, op as string | null, connecting),
    requestEndEvent(driver, id, endT, outcome as OpOutcome, status as number | null, bytes as number | null, error as string | null, sentT as number | null, firstByteT as number | null),
  ];
}
