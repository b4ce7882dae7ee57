// A step that times out is named in the run's failure (the reason, and `run:error.step` in the
// history), on real processes through the CLI: the run's deadline ending `ready`, and the
// trigger's own deadline ending `trigger`. Nothing the runs started survives.
// Guards: the runner's deadline race (harness/run/steps.ts raceSetup). Checked: with the deadline
// timer disabled in raceSetup, the first run waited out the probe's 10 s and ended as
// TARGET_NOT_READY with no step named, the second never ended (the CLI was killed at this test's
// 60 s): this test failed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { readEvents, readResults, runCli, tempDir } from '../robustness/cli.js';
import { describeSurvivors, killSurvivors, newMark } from '../helpers/oracle.js';

const SCENARIO = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'step-timeout.scenario.yaml');

t.test('a step that times out names the step in the run\'s failure', async (t) => {
  const mark = newMark('step-timeout');
  const dir = tempDir('step-timeout');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const out = path.join(dir, 'out');
  const res = await runCli(['run', SCENARIO, '--out', out, '--concurrency', '2'], { mark, timeoutMs: 60_000 });
  t.equal(res.code, 1, `exit 1: the runs errored\n${res.stdout}\n${res.stderr}`);
  const runs = new Map(readResults(out).runs.map((r) => [r['id'] as string, r]));

  const ready = runs.get('ready-outlasts-the-run')!;
  t.equal(ready['verdict'], 'error');
  t.equal(ready['errorCode'], 'RUN_TIMEOUT');
  t.match(ready['reason'], /^step "ready" timed out: the run exceeded its 1500 ms budget \(timeoutMs\): raise timeoutMs$/);
  const readyEvents = readEvents(out, ready['history']);
  t.same(readyEvents.filter((e) => e['type'] === 'run:error').map((e) => [e['code'], e['step']]), [['RUN_TIMEOUT', 'ready']], 'the history names the step');
  t.ok(readyEvents.some((e) => e['type'] === 'target:not-ready' && e['probe'] === 'log /^listening on/'), 'the probe that was still waiting is recorded');
  t.same(readyEvents.filter((e) => e['type'] === 'target:exit').map((e) => e['byHarness']), [true], 'the harness ended the target');
  t.ok(ready['durationMs'] < 8_000, `the run ended at its budget, not the probe's 10 s (${Math.round(ready['durationMs'])} ms)`);

  const trigger = runs.get('trigger-never-fires')!;
  t.equal(trigger['verdict'], 'error');
  t.equal(trigger['errorCode'], 'TRIGGER_TIMEOUT');
  t.equal(trigger['reason'], 'step "trigger" timed out: the trigger never fired: check strike.at, or raise strike.at.timeoutMs');
  const triggerEvents = readEvents(out, trigger['history']);
  t.same(triggerEvents.filter((e) => e['type'] === 'run:error').map((e) => [e['code'], e['step']]), [['TRIGGER_TIMEOUT', 'trigger']]);
  t.same(triggerEvents.filter((e) => e['type'] === 'signal:sent'), [], 'no signal was sent');
  t.ok(trigger['durationMs'] < 8_000, `the run ended at the trigger's deadline, not the run's 20 s (${Math.round(trigger['durationMs'])} ms)`);

  t.same(describeSurvivors(mark), [], 'no process carrying the test marker is left');
});
