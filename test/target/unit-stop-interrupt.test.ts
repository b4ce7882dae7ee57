// KillMode=control-group: after the main process exits the stop waits for the rest of the unit
// (strike.waitRestOnExit) up to TimeoutStopSec. An interrupt of the harness during that wait ends it
// at once: the interrupt ends the targets (the container), and the wait ends with the container
// empty, not after the 30 s timeout.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { FIXTURES, killSurvivors, newMark, startCli, survivors, tempDir, waitForFile, writeScenario } from '../helpers/cli.js';

t.test('SIGINT to the harness while the unit waits for a stuck worker: it ends within seconds, nothing left', async (t) => {
  const mark = newMark();
  const out = tempDir('drill-unit-int-');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(out, { recursive: true, force: true });
  });
  const file = writeScenario(`
- name: unit-waits
  platform: { systemd: { killMode: control-group, timeoutStopSec: 30 } }
  target: { command: node, args: [${path.join(FIXTURES, 'platform/main-worker.mjs')}], env: { WORKER_STUCK: '1' }, ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 100 } }
  expect: { exit: { codes: [0] } }
`);
  const cli = startCli(['run', file], { mark, outDir: out });
  // The handshake: the history says the main process has exited (the unit now waits for the worker).
  const runs = path.join(out, 'runs');
  const deadline = Date.now() + 20_000;
  while (!fs.existsSync(runs) || fs.readdirSync(runs).length === 0) {
    if (Date.now() > deadline) throw new Error('the run folder never appeared');
    await new Promise((r) => setTimeout(r, 20));
  }
  const history = path.join(runs, fs.readdirSync(runs)[0]!, 'events.jsonl');
  await waitForFile(history, (text) => text.includes('"target:exit"'));
  t.match(fs.readFileSync(history, 'utf8'), /"signal":"SIGTERM"/, 'SIGTERM was sent and main exited');
  t.ok(survivors(mark).length > 0, 'the worker is still running while the unit waits');
  const sigintAt = Date.now();
  cli.child.kill('SIGINT');
  const r = await cli.done;
  const tookMs = Date.now() - sigintAt;
  t.equal(r.code, 130, `interrupted (stderr: ${r.stderr.slice(-300)})`);
  t.ok(tookMs < 10_000, `the harness ended ${tookMs} ms after SIGINT, not at the 30 s TimeoutStopSec`);
  t.same(survivors(mark), [], 'nothing of the run is left');
});
