import type { HistoryEvent } from './events.js';

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

// The request:start and request:end events of an op line, or undefined when `v` is not one.
export function opLineEvents(v: unknown): [HistoryEvent, HistoryEvent] | undefined {
  if (!Array.isArray(v) || v.length !== 13) return undefined;
  const [driver, id, startT, conn, op, connecting, endT, outcome, status, bytes, error, sentT, firstByteT] = v as unknown[];
  if (!str(driver) || !str(id) || !num(startT) || !strOrNull(conn) || !strOrNull(op) || (connecting !== 0 && connecting !== 1)) return undefined;
  if (!num(endT) || !str(outcome) || !numOrNull(status) || !numOrNull(bytes) || !strOrNull(error) || !numOrNull(sentT) || !numOrNull(firstByteT)) return undefined;
  const start = {
    type: 'request:start', t: startT, driver, id,
    ...(conn !== null ? { conn } : {}), ...(op !== null ? { op } : {}), ...(connecting ? { connecting: true } : {}),
  } as HistoryEvent;
  const end = {
    type: 'request:end', t: endT, driver, id, outcome,
    ...(status !== null ? { status } : {}), ...(bytes !== null ? { bytes } : {}), ...(error !== null ? { error } : {}),
    ...(sentT !== null ? { sentT } : {}), ...(firstByteT !== null ? { firstByteT } : {}),
  } as HistoryEvent;
  return [start, end];
}
