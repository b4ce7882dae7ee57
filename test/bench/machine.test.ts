// The bench's record of how much CPU the machine had: /proc/stat's steal column read into
// `machine.stealPct`, and the warning that a run's figures measure contention.
import t from 'tap';
import { cpuTimes, stealPct, type Machine } from '../../bench/machine.js';
import { busyWarning, STEAL_WARN_PCT } from '../../bench/run.js';

const STAT = (steal: number, idle: number): string =>
  `cpu  2384761 26728 376984 ${idle} 4236 0 40090 ${steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1 2 3\n`;

t.test('cpuTimes reads the machine-wide cpu line: every state but guest, and steal', async (t) => {
  t.same(cpuTimes(STAT(52297, 1677224)), { total: 2384761 + 26728 + 376984 + 1677224 + 4236 + 0 + 40090 + 52297, steal: 52297 });
  t.equal(cpuTimes('cpu0 1 2 3 4 5 6 7 8\n'), undefined, 'no machine-wide line');
  t.equal(cpuTimes('cpu  1 2 3 4\n'), undefined, 'a line without the steal column');
  t.equal(cpuTimes('cpu  1 2 3 x 5 6 7 8\n'), undefined, 'a field that is not a number');
  const real = cpuTimes();
  t.ok(real && real.total > 0 && real.steal >= 0 && real.steal <= real.total, `this machine's /proc/stat: ${JSON.stringify(real)}`);
});

t.test('stealPct is the steal share of the CPU time between two readings', async (t) => {
  t.equal(stealPct({ total: 1000, steal: 10 }, { total: 3000, steal: 310 }), 15);
  t.equal(stealPct({ total: 1000, steal: 10 }, { total: 1300, steal: 11 }), 0.3);
  t.equal(stealPct({ total: 1000, steal: 10 }, { total: 1000, steal: 10 }), undefined, 'no time passed');
  t.equal(stealPct(undefined, { total: 1000, steal: 10 }), undefined, 'a reading is missing');
});

const machine = (over: Partial<Machine>): Machine => ({
  cpus: 2, cpuModel: 'x', memGB: 1, os: 'Linux', node: 'v20', bash: '5', cc: null, openFiles: null,
  processes: 10, procStatScanMs: 1, procMarkerScanMs: 1, loadAvgStart: 0.5, loadAvgEnd: 0.7, ...over,
});

t.test('busyWarning names what made the machine busy: local load, host steal, or both', async (t) => {
  t.equal(busyWarning(machine({ stealPct: STEAL_WARN_PCT - 0.1 })), undefined, 'quiet: no warning');
  t.equal(busyWarning(machine({})), undefined, 'no steal reading, quiet load: no warning');
  const load = busyWarning(machine({ loadAvgEnd: 2.6, stealPct: 1 }));
  t.match(load, /busy with other work \(load average 0\.5 → 2\.6 on 2 CPUs\)/);
  t.notMatch(load, /steal/);
  const steal = busyWarning(machine({ stealPct: 12.5 }));
  t.match(steal, /gave 12\.5 % of its CPU time to other guests \(steal\)/);
  t.notMatch(steal, /load average/);
  t.match(busyWarning(machine({ loadAvgStart: 3, stealPct: STEAL_WARN_PCT })), /busy with other work .* and short of CPU/);
});
