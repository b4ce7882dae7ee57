// new-work-rejected's "cut by the close" is a race, bounded in time (history/ops.ts closeCuts,
// CLOSE_RACE_MS): a new connection reset as the listener closes is excused only when it had
// waited at most that long. A server that stops accepting on SIGTERM, keeps listening for a
// second and then closes drops every connection that waited meanwhile: that fails, under its own
// name, while the same server closing its listener at once (new connects refused) passes. Real
// processes (python3).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { CLOSE_RACE_MS } from '../../harness/history/ops.js';
import { FIXTURES, killSurvivors, newMark, runCli, survivors, writeScenario } from '../helpers/cli.js';

const target = path.join(FIXTURES, 'load/targets/stop-accepting.py');
const python = spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;

const scenario = writeScenario(`
- name: stop-accepting
  matrix: { mode: ['--hold 1000', '--close'] }
  target: { command: sh, args: ['-c', 'exec python3 ${target} "$0" $1 $2', '{port}', '{mode}'], ready: { http: / } }
  strike: { at: { afterReadyMs: 200 }, signal: SIGTERM }
  expect:
    exit: { codes: [0] }
    newWorkRejected: true
  timeoutMs: 20000
`);

t.test('a connection held unanswered and then dropped at the close fails new-work-rejected; a prompt close passes', { skip: python ? false : 'python3 is not installed' }, async (t) => {
  const mark = newMark();
  t.teardown(() => killSurvivors(mark));
  const r = await runCli(['run', scenario], { mark });
  t.equal(r.code, 1, `the held run fails: ${r.stderr.slice(-2000)}`);
  const runs = r.results!.runs;
  const check = (mode: string) => runs.find((x) => String(x.params.mode) === mode)!.checks.find((c) => c.name === 'new-work-rejected')!;

  const held = check('--hold 1000');
  t.equal(held.status, 'fail', held.message);
  const actual = held.actual as { heldThenDropped?: number; cutByClose: number; unclean: number };
  t.ok((actual.heldThenDropped ?? 0) >= 2, `the probes that waited were dropped at the close: ${JSON.stringify(actual)}`);
  t.equal(actual.unclean, actual.heldThenDropped, 'they are the failure, nothing else');
  t.match(held.message, new RegExp(`unanswered over ${CLOSE_RACE_MS} ms \\(the server had stopped accepting\\), then reset at the close \\(probe\\) \\d+`));
  const details = (held.details ?? []) as Array<{ outcome: string; heldUnansweredMs?: number }>;
  t.ok(details.length >= 2 && details.every((d) => d.outcome === 'reset' && (d.heldUnansweredMs ?? 0) > CLOSE_RACE_MS), JSON.stringify(details));

  const prompt = check('--close');
  t.equal(prompt.status, 'pass', prompt.message);
  t.match(prompt.actual, { heldThenDropped: undefined, unclean: 0 });
  t.same(survivors(mark), [], 'nothing left running');
});
