// mapStrings (scenario/map-strings.ts), the one walk behind the matrix's `{key}` and the runtime
// placeholders (run/placeholders.ts fill): every string in arrays and plain objects, a copy, other
// values and unknown braces untouched.
import t from 'tap';
import { fill } from '../../harness/run/placeholders.js';
import { mapStrings } from '../../harness/scenario/map-strings.js';

t.test('mapStrings maps every string, deep, into a copy', async (t) => {
  const date = new Date(0);
  const input = { a: ['x', { b: 'y', n: 1, ok: true, none: null }], c: 'z', d: date };
  const out = mapStrings(input, (s) => s.toUpperCase());
  t.same(out, { a: ['X', { b: 'Y', n: 1, ok: true, none: null }], c: 'Z', d: date });
  t.equal(out.d, date, 'a class instance is kept as it is');
  t.same(input.a, ['x', { b: 'y', n: 1, ok: true, none: null }], 'the input is not changed');
});

t.test('fill replaces the known placeholders only', async (t) => {
  t.same(fill({ args: ['--port', '{port}', '{"json": {port}}', '{unknown}'], env: { DB: '{tmp}/db {port.db}' }, n: 3 }, { port: '8080', tmp: '/t', 'port.db': '9090' }),
    { args: ['--port', '8080', '{"json": 8080}', '{unknown}'], env: { DB: '/t/db 9090' }, n: 3 });
});
