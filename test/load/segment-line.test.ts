// The load worker writes its per-operation segment lines with a template (load/segment.ts
// itemLine), not JSON.stringify of an event object: every line must parse to exactly the event
// itemEvent builds, whatever the strings hold (quotes, backslashes, control characters, non-ASCII)
// and whichever optional fields are present.
import fc from 'fast-check';
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { opLineEvents } from '../../harness/history/op-line.js';
import { itemEvent, itemLine, opLine, readSegment, SegmentWriter } from '../../harness/load/segment.js';
import type { EndItem, StartItem, WireItem } from '../../harness/load/wire.js';

const outcomes = ['ok', 'http-error', 'rejected', 'refused', 'reset', 'timeout', 'closed'] as const;
const time = fc.integer({ min: 0, max: 10_000_000_000 }).map((n) => n / 1000);
const text = fc.string({ unit: 'binary', maxLength: 40 });
const orNull = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null });

const startItem: fc.Arbitrary<StartItem> = fc.tuple(text, time, orNull(text), orNull(text), fc.constantFrom<0 | 1>(0, 1))
  .map(([id, tt, conn, op, connecting]): StartItem => [0, id, tt, conn, op, connecting]);
const endItem: fc.Arbitrary<EndItem> = fc.tuple(text, time, fc.constantFrom(...outcomes), orNull(fc.integer({ min: 100, max: 599 })), orNull(fc.nat()), orNull(text), orNull(time), orNull(time))
  .map(([id, tt, outcome, status, bytes, error, sentT, firstByteT]): EndItem => [1, id, tt, outcome, status, bytes, error, sentT, firstByteT]);
const otherItem: fc.Arbitrary<WireItem> = fc.tuple(time, text).map(([tt, conn]) => [2, { type: 'conn:open', t: tt, conn }]);

t.test('every segment line parses to the event itemEvent builds', async (t) => {
  const seed = Number(process.env['FUZZ_SEED'] ?? 20_261_207);
  const details = fc.check(fc.property(fc.oneof(startItem, endItem, otherItem), text, (item, driver) => {
    const line = itemLine(item, driver);
    if (!line.endsWith('\n') || line.slice(0, -1).includes('\n')) return false;
    return fc.stringify(JSON.parse(line)) === fc.stringify(itemEvent(item, driver));
  }), { numRuns: 2_000, seed });
  t.equal(details.failed, false, details.counterexample ? `counterexample: ${fc.stringify(details.counterexample)}` : 'passed');
});

t.test('a typical request line is the same text JSON.stringify writes', async (t) => {
  const start: WireItem = [0, 'c0.12', 1234.567, 'c0.s1', 'GET /', 0];
  const end: WireItem = [1, 'c0.12', 1235.5, 'reset', null, null, 'ECONNRESET read "x"', 1234.6, null];
  t.equal(itemLine(start, 'api'), `${JSON.stringify(itemEvent(start, 'api'))}\n`);
  t.equal(itemLine(end, 'api'), `${JSON.stringify(itemEvent(end, 'api'))}\n`);
});

// An operation whose start and end are written together is one op line (history/op-line.ts):
// read back, it must be exactly the two events of its two items.
t.test('every op line reads back as the events of its start and end items', async (t) => {
  const seed = Number(process.env['FUZZ_SEED'] ?? 20_261_208);
  const details = fc.check(fc.property(startItem, endItem, text, (start, end, driver) => {
    const line = opLine(start, [1, start[1], ...end.slice(2)] as EndItem, JSON.stringify(driver));
    if (!line.endsWith('\n') || line.slice(0, -1).includes('\n')) return false;
    const events = opLineEvents(JSON.parse(line));
    return events !== undefined && fc.stringify(events) === fc.stringify([itemEvent(start, driver), itemEvent([1, start[1], ...end.slice(2)] as EndItem, driver)]);
  }), { numRuns: 2_000, seed });
  t.equal(details.failed, false, details.counterexample ? `counterexample: ${fc.stringify(details.counterexample)}` : 'passed');
});

t.test('a segment reads back as its items\' events in order, one op line per start-and-end pair', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-segment-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'load-api.segment.jsonl');
  const items: WireItem[] = [
    [0, 'c0.1', 10, 'c0.s1', 'GET /"q"', 1], [1, 'c0.1', 12, 'ok', 200, 3, null, 10.5, 11.9],
    [0, 'c1.2', 11, 'c1.s1', 'GET /"q"', 0],
    [2, { type: 'conn:open', t: 11.5, conn: 'c2.s1' }],
    [1, 'c1.2', 13, 'reset', null, null, 'ECONNRESET', 11, null],
    [0, 'c0.3', 14, null, null, 0], [1, 'c0.4', 15, 'timeout', null, null, 'no byte', null, null],
  ];
  const w = new SegmentWriter(file, 'api');
  w.write(items);
  w.close();
  t.equal(w.written, items.length, 'each item counts as one event written');
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  t.equal(lines.length, 6, 'the one start followed by its own end shares a line; the others do not');
  t.ok(lines[0]!.startsWith('["api","c0.1",10,'), lines[0]);
  const { events, torn } = readSegment(file);
  t.equal(torn, 0);
  t.same(events, items.map((i) => itemEvent(i, 'api')));
});

t.test('an array line that is not an op line is torn, not an event', async (t) => {
  t.equal(opLineEvents(['api', 'c0.1', 10]), undefined);
  t.equal(opLineEvents(['api', 'c0.1', 10, null, null, 2, 12, 'ok', 200, 3, null, null, null]), undefined, 'connecting is 0 or 1');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-segment-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'load-api.segment.jsonl');
  fs.writeFileSync(file, '[1,2,3]\n{"type":"conn:open","t":1,"conn":"c0.s1","driver":"api"}\n');
  const { events, torn } = readSegment(file);
  t.equal(torn, 1);
  t.equal(events.length, 1);
});
