// The load worker writes its per-operation segment lines with a template (load/segment.ts
// itemLine), not JSON.stringify of an event object: every line must parse to exactly the event
// itemEvent builds, whatever the strings hold (quotes, backslashes, control characters, non-ASCII)
// and whichever optional fields are present.
import fc from 'fast-check';
import t from 'tap';
import { itemEvent, itemLine } from '../../harness/load/segment.js';
import type { WireItem } from '../../harness/load/wire.js';

const outcomes = ['ok', 'http-error', 'rejected', 'refused', 'reset', 'timeout', 'closed'] as const;
const time = fc.integer({ min: 0, max: 10_000_000_000 }).map((n) => n / 1000);
const text = fc.string({ unit: 'binary', maxLength: 40 });
const orNull = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null });

const startItem: fc.Arbitrary<WireItem> = fc.tuple(text, time, orNull(text), orNull(text), fc.constantFrom<0 | 1>(0, 1))
  .map(([id, tt, conn, op, connecting]) => [0, id, tt, conn, op, connecting]);
const endItem: fc.Arbitrary<WireItem> = fc.tuple(text, time, fc.constantFrom(...outcomes), orNull(fc.integer({ min: 100, max: 599 })), orNull(fc.nat()), orNull(text), orNull(time), orNull(time))
  .map(([id, tt, outcome, status, bytes, error, sentT, firstByteT]) => [1, id, tt, outcome, status, bytes, error, sentT, firstByteT]);
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
