// The harness itself interrupted: no new runs start, targets are ended (grace, then SIGKILL),
// results are written with status `interrupted`, exit 130 (SIGINT) or 143 (SIGTERM); a second
// SIGINT kills at once. Nothing is left running.
import t from 'tap';
import path from 'node:path';
import { runDirName } from '../../harness/run/plan.js';
import { FIXTURES, killSurvivors, newMark, startCli, survivors, waitForFile, writeScenario } from '../helpers/cli.js';

const T = path.join(FIXTURES, 'targets');
const mark = newMark();
t.teardown(() => {
  killSurvivors(mark);
});

// Two runs; the first waits for a trigger that never comes within the test, the second never starts.
function suite(target: string): string {
  return writeScenario(`
- name: first
  target: { command: node, args: ['${T}/${target}'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 120000 }, signal: SIGTERM }
  expect: { exit: { codes: [0] } }
  timeoutMs: 200000
- name: second
  target: { command: node, args: ['${T}/graceful.mjs'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] } }
`);
}

for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  t.test(`${sig} mid-run: targets ended, results interrupted, exit ${code}`, async (t) => {
    const cli = startCli(['run', suite('graceful.mjs')], { mark });
    const events = path.join(cli.outDir, 'runs', runDirName('first'), 'events.jsonl');
    await waitForFile(events, (text) => text.includes('"target:ready"'));
    cli.child.kill(sig);
    const r = await cli.done;
    t.equal(r.code, code);
    t.equal(r.results?.status, 'interrupted');
    const [first, second] = r.results!.runs;
    t.equal(first!.verdict, 'error');
    t.equal(first!.errorCode, 'INTERRUPTED');
    t.equal(second!.verdict, 'skipped');
    t.equal(second!.reason, 'the harness was interrupted before this run started');
    const history = await waitForFile(events, (text) => text.includes('"run:end"'));
    t.match(history, /"line":"got SIGTERM"/, 'the target was asked to stop with SIGTERM first');
    t.match(history, /"type":"target:exit","t":[\d.]+,"code":0/, 'and exited by itself within its grace');
    t.same(survivors(mark), []);
  });
}

t.test('a second SIGINT kills at once a target that ignores SIGTERM', async (t) => {
  const cli = startCli(['run', suite('ignores-signals.mjs')], { mark });
  const events = path.join(cli.outDir, 'runs', runDirName('first'), 'events.jsonl');
  await waitForFile(events, (text) => text.includes('"target:ready"'));
  cli.child.kill('SIGINT');
  const first = performance.now();
  // Handshake: the target has printed that it ignores the SIGTERM the harness sent it.
  await waitForFile(events, (text) => text.includes('ignoring SIGTERM'));
  // A repeat within 200 ms counts as the same Ctrl+C (npm may deliver one twice): stay outside it.
  while (performance.now() - first < 250) await new Promise((r) => setTimeout(r, 10));
  const second = performance.now();
  cli.child.kill('SIGINT');
  const r = await cli.done;
  const afterSecond = performance.now() - second;
  t.equal(r.code, 130);
  t.equal(r.results?.status, 'interrupted');
  t.ok(afterSecond < 2_500, `ended without waiting out the 3 s grace (${afterSecond.toFixed(0)} ms)`);
  t.same(survivors(mark), []);
});
