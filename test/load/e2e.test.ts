// End-to-end: the CLI runs a target under HTTP load and a probe, strikes while K requests are in
// flight, and results.json carries the exact load verdicts.
import path from 'node:path';
import t from 'tap';
import { FIXTURES, killSurvivors, newMark, runCli, runEvents, survivors, writeScenario } from '../helpers/cli.js';

const target = path.join(FIXTURES, 'load/targets/http-drain.mjs');

const scenario = writeScenario(`
- name: http-drain
  matrix: { mode: ['--graceful', '--reset'] }
  target: { command: node, args: ['${target}', '{port}', '{mode}'], ready: { http: /health } }
  load:
    - http: { name: api, connections: 8, path: /slow, durationMs: 20000 }
    - probe: { name: ready, path: /health, everyMs: 10 }
  strike: { at: { inFlightAtLeast: 8, timeoutMs: 10000 }, signal: SIGTERM }
  expect:
    exit: { codes: [0] }
    drain: true
    noReset: true
    newWorkRejected: true
    readinessFlip: { withinMs: 100 }
    errorRate: { maxPct: 0, driver: api }
  timeoutMs: 30000
`);

t.test('HTTP load with an in-flight trigger, from the CLI', async (t) => {
  const mark = newMark();
  t.teardown(() => killSurvivors(mark));
  const r = await runCli(['run', scenario], { mark });
  t.equal(r.code, 1, `one run fails: ${r.stderr.slice(-2000)}`);
  const runs = r.results!.runs;
  t.equal(runs.length, 2);
  const graceful = runs.find((x) => String(x.params.mode) === '--graceful')!;
  const reset = runs.find((x) => String(x.params.mode) === '--reset')!;
  const verdicts = (run: typeof graceful): Record<string, string> => Object.fromEntries(run.checks.map((c) => [c.name, c.status]));

  t.equal(graceful.verdict, 'pass', JSON.stringify(graceful.checks.filter((c) => c.status !== 'pass'), null, 1));
  t.same(verdicts(graceful), { 'exit-status': 'pass', 'no-escalation': 'pass', 'no-orphans': 'pass', drain: 'pass', 'new-work-rejected': 'pass', 'no-reset': 'pass', 'readiness-flip': 'pass', 'error-rate': 'pass' });
  const drainOk = graceful.checks.find((c) => c.name === 'drain')!;
  t.ok((drainOk.actual as { inFlightAtSignal: number }).inFlightAtSignal >= 8, 'struck with at least 8 in flight');
  t.ok(typeof graceful.metrics.drainMs === 'number' && graceful.metrics.drainMs > 0 && graceful.metrics.drainMs < 400, `drainMs ${graceful.metrics.drainMs}`);
  t.ok(typeof graceful.metrics.timeToNotReadyMs === 'number' && graceful.metrics.timeToNotReadyMs < 100);
  t.ok((graceful.metrics['outcomes:api'] as Record<string, number>).ok >= 8);

  t.equal(reset.verdict, 'fail');
  const drain = reset.checks.find((c) => c.name === 'drain')!;
  t.equal(drain.status, 'fail');
  const details = drain.details as Array<{ outcome: string; startOffsetMs: number; endOffsetMs: number }>;
  t.ok(details.length >= 8, `${details.length} requests listed`);
  t.ok(details.every((d) => d.outcome === 'reset' && d.startOffsetMs < 0 && d.endOffsetMs >= 0));
  t.equal(reset.checks.find((c) => c.name === 'no-reset')!.status, 'fail');
  t.equal(reset.checks.find((c) => c.name === 'readiness-flip')!.status, 'fail', 'the listener died with readiness still 200');

  const events = runEvents(r.outDir, graceful.history);
  const fired = events.find((e) => e.type === 'trigger:fired');
  t.match(String(fired?.reason), /in flight/);
  t.ok(events.some((e) => e.type === 'load:stopped' && e.driver === 'api'));
  t.same(survivors(mark), [], 'nothing left running');
});
