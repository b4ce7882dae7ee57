// The platform presets' expansion (scenario/platform.ts), in-process: what each sets, that the
// scenario's and the matrix's own fields win, and the problems of a bad `platform`.
import t from 'tap';
import { expandScenario } from '../../harness/scenario/matrix.js';

const base = { name: 'p', target: { command: 'node', args: ['a.js'] }, expect: { exit: { codes: [0] } } };

t.test('systemd mixed: SIGTERM + SIGCONT + SIGHUP to the main process, SIGKILL to the unit, the rest killed on main exit', async (t) => {
  const { runs, problems } = expandScenario({ ...base, platform: { systemd: { killMode: 'mixed', timeoutStopSec: 5, sendSIGHUP: true } }, strike: { at: { afterReadyMs: 1 } } }, 'x');
  t.same(problems, []);
  const s = runs[0]!.spec;
  t.same(s.strike?.signal, ['SIGTERM', { signal: 'SIGCONT', afterMs: 0 }, { signal: 'SIGHUP', afterMs: 0 }]);
  t.equal(s.strike?.deliver, 'process');
  t.same(s.strike?.escalate, { afterMs: 5000, signal: 'SIGKILL', deliver: 'tree' });
  t.equal(s.strike?.killRestOnExit, true);
  t.equal(s.target.pid1, false, 'a systemd service is not PID 1');
  t.same(s.platformExpansion?.kept, []);
});

t.test('the scenario and the matrix win over the preset, and the expansion says so', async (t) => {
  const { runs } = expandScenario({
    ...base, target: { ...base.target, pid1: false }, platform: { kubernetes: {} },
    strike: { at: { afterReadyMs: 1 }, deliver: 'group' }, matrix: { signal: ['SIGINT'] },
  }, 'x');
  const s = runs[0]!.spec;
  t.equal(s.strike?.signal, 'SIGINT');
  t.equal(s.strike?.deliver, 'group');
  t.equal(s.target.pid1, false);
  t.same(s.strike?.escalate, { afterMs: 30_000, signal: 'SIGKILL', deliver: 'tree' }, 'the default grace: 30 s');
  t.equal(s.strike?.endpointLagMs, 1000);
  t.same(s.platformExpansion?.kept.sort(), ['strike.deliver', 'strike.signal', 'target.pid1']);
  t.match(s.platformExpansion?.warnings.join('\n'), /target\.pid1 is false/);
});

t.test('a bad platform is a problem naming what to fix', async (t) => {
  const two = expandScenario({ ...base, platform: { kubernetes: {}, systemd: { killMode: 'mixed' } }, strike: { at: { afterReadyMs: 1 } } }, 'x');
  t.same(two.runs, []);
  t.same(two.problems.map((p) => p.replace(/, received .*/, '')), ['x: platform: give exactly one of `docker-stop`, `kubernetes`, `systemd`, got `kubernetes`, `systemd`']);
  const noStrike = expandScenario({ ...base, platform: { 'docker-stop': {} } }, 'x');
  t.same(noStrike.problems.map((p) => p.replace(/, received .*/, '')), ['x: strike: a platform preset stops the target when `strike.at` fires: add `strike: { at: { afterReadyMs: 500 } }` (or another trigger)']);
  const mode = expandScenario({ ...base, platform: { systemd: { killMode: 'all' } }, strike: { at: { afterReadyMs: 1 } } }, 'x');
  t.match(mode.problems, [/platform\.systemd\.killMode: expected one of "control-group", "mixed", "process"/]);
  t.same(expandScenario({ ...base, platformExpansion: {} }, 'x').problems.length, 1, 'platformExpansion is the harness\'s to write');
});
