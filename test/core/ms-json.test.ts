import t from 'tap';
import { Clock, msJson, round3 } from '../../harness/clock.js';

// msJson writes a run-clock time exactly as JSON.stringify does (the history's readers parse
// either), only faster: checked over the clock's grid and over what is not on it.
t.test('msJson is JSON.stringify for every time the clock gives and every other number', async (t) => {
  const cases: number[] = [0, 0.001, 0.01, 0.1, 0.009, 0.09, 0.099, 0.1, 0.12, 0.123, 1, 1.5, 1.05, 1.005, 10.01, 999.999, 1000, 1234.567, 86_400_000.001, 3.6e9 + 0.07];
  // Random times on the microsecond grid, over 0-10^9 ms (11.6 days).
  let seed = 42;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 200_000; i++) cases.push(round3(random() * 10 ** Math.floor(random() * 10)));
  // What a live clock reads.
  const clock = new Clock();
  for (let i = 0; i < 1_000; i++) cases.push(clock.now());
  // Not on the grid, negative, huge: written as String() writes them.
  cases.push(0.0001, 1.23456, -1, -0.001, 1e15, 1e21, 2 ** 53, Number.MAX_VALUE, 1 / 3);
  let differ = 0;
  let first = '';
  for (const c of cases) {
    if (msJson(c) !== JSON.stringify(c)) {
      differ++;
      first ||= `${c}: ${msJson(c)} vs ${JSON.stringify(c)}`;
    }
  }
  t.equal(differ, 0, `every number written as JSON writes it${first ? ` (first: ${first})` : ''}`);
});
