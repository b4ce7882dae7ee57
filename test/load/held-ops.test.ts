// The ended operations an OpSink holds before folding (load/held-ops.ts) are columns in a ring,
// not objects: what goes in must come out the same (nulls included), oldest first, across the
// ring's wrap-around and growth; folding hands on the counted fields and drops the oldest.
import t from 'tap';
import { HeldOps, type HeldFields } from '../../harness/load/held-ops.js';

const op = (k: number): HeldFields => ({
  id: k % 5 === 0 ? `custom-${k}` : null, idBase: `c${k % 3}.`, seq: k, startT: k + 0.125, conn: k % 2 ? `c${k % 3}.s1` : null, op: k % 4 ? 'GET /' : null,
  connecting: (k % 2) as 0 | 1, endT: k + 0.5, outcome: k % 7 ? 'ok' : 'reset', status: k % 7 ? 200 : null, bytes: k % 7 ? 3 : null,
  error: k % 7 ? null : `ECONNRESET "${k}"`, sentT: k % 3 ? k + 0.2 : null, firstByteT: k % 6 ? k + 0.4 : null,
});

t.test('drain gives back every held operation as it went in, oldest first, across wrap-around and growth', async (t) => {
  const ring = new HeldOps(4);
  const folded: Array<[string, number, number, number]> = [];
  // Wrap the ring: 3 in, 2 folded, then 9 more (it grows twice with its head in the middle).
  for (let k = 1; k <= 3; k++) ring.push(op(k));
  ring.shiftFold((o, b, s, e) => folded.push([o, b, s, e]));
  ring.shiftFold((o, b, s, e) => folded.push([o, b, s, e]));
  for (let k = 4; k <= 12; k++) ring.push(op(k));
  t.equal(ring.length, 10);
  t.equal(ring.oldestEndT(), 3.5);
  t.same(folded, [['ok', 3, 1.125, 1.5], ['ok', 3, 2.125, 2.5]]);
  const out: HeldFields[] = [];
  ring.drain((h) => out.push(h));
  t.same(out, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((k) => ({ ...op(k), id: op(k).id ?? `c${k % 3}.${k}` })));
  t.equal(ring.length, 0);
  t.ok(Number.isNaN(ring.oldestEndT()), 'an empty ring has no oldest end');
});

t.test('a folded reset counts no bytes (null bytes fold as 0)', async (t) => {
  const ring = new HeldOps(2);
  ring.push(op(7));
  let got: unknown[] = [];
  ring.shiftFold((...a) => (got = a));
  t.same(got, ['reset', 0, 7.125, 7.5]);
});
