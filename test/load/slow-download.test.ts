// The client timeout is an idle one: a 20 s download at 100 KB/s (nginx limit_rate) struck while
// streaming drains with the driver's default settings (timeoutMs 10 s would cut a whole-response
// timeout halfway).
import path from 'node:path';
import t from 'tap';
import { FIXTURES, killSurvivors, newMark, runCli, survivors, writeScenario } from '../helpers/cli.js';

const target = path.join(FIXTURES, 'load/targets/slow-download.mjs');

const scenario = writeScenario(`
- name: slow-download
  target: { command: node, args: ['${target}', '{port}'], ready: { log: listening } }
  load:
    - http: { name: dl, connections: 1, amount: 1, path: /file }
  strike: { at: { onLog: streaming }, signal: SIGTERM, escalate: { afterMs: 30000 } }
  expect:
    exit: { codes: [0] }
    drain: true
  timeoutMs: 40000
`);

t.test('a 20 s download at 100 KB/s drains with default driver settings, with the default engine (autocannon, keep-alive)', async (t) => {
  const mark = newMark();
  t.teardown(() => killSurvivors(mark));
  const r = await runCli(['run', scenario], { mark });
  t.equal(r.code, 0, r.stderr.slice(-2000));
  t.equal(r.results!.runs.length, 1);
  for (const run of r.results!.runs) {
    const drain = run.checks.find((c) => c.name === 'drain')!;
    t.equal(drain.status, 'pass', drain.message);
    t.same((drain.actual as { outcomes: Record<string, number> }).outcomes, { ok: 1 });
    t.ok((run.metrics.timeToExitMs ?? 0) > 15_000, `the download ran to its end: ${run.metrics.timeToExitMs} ms`);
  }
  t.same(survivors(mark), [], 'nothing left running');
});
