// A load worker's operations stay in its own history segment (load/segment.ts) while it runs and
// are merged into the history when the load stops; a worker that dies before sealing its segment
// makes the run an error naming the segment (fail closed); count triggers fire from the strike
// thread on the shared counters (load/counters.ts, inject/count-watch.ts).
// Guards: worker-host.ts merge() and run-one.ts's LOAD_RECORD_INCOMPLETE. Checked: with run-one's
// lost-record lines disabled, the killed-worker run was no error (exit code not 1) and this test
// failed. Guards: the strike-thread path of triggers.ts. Checked: with it disabled (the main
// thread's fallback), `thread` was `main`, `countAtSend` missing, and this test failed.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { readHistory } from '../../harness/history/reader.js';
import { loadView } from '../../harness/history/ops.js';
import { readSegment } from '../../harness/load/segment.js';
import { FIXTURES, killSurvivors, newMark, runCli, runEvents, survivors, writeScenario } from '../helpers/cli.js';

const target = path.join(FIXTURES, 'load/targets/http-drain.mjs');

const scenario = (at: string, graceMs = 5000): string => writeScenario(`
- name: segments
  target: { command: node, args: ['${target}', '{port}', '--graceful'], ready: { http: /health } }
  load:
    - http: { name: api, connections: 4, path: /health, durationMs: 20000 }
  strike: { at: ${at}, signal: SIGTERM, escalate: { afterMs: ${graceMs} } }
  expect:
    exit: { codes: [0] }
  timeoutMs: 20000
`);

t.test('the merged history holds every operation of the worker, in time order, with the driver\'s own counts', async (t) => {
  const mark = newMark();
  t.teardown(() => killSurvivors(mark));
  const r = await runCli(['run', scenario('{ afterResponses: 200, driver: api, timeoutMs: 10000 }')], { mark });
  const run = r.results!.runs[0]!;
  t.equal(run.verdict, 'pass', `${run.reason ?? ''} ${r.stderr.slice(-1000)}`);
  const file = path.join(r.outDir, run.history!);
  const inFile = runEvents(r.outDir, run.history);
  const events = readHistory(file);
  const ops = loadView(events, 'api').ops;
  const stopped = events.find((e) => e.type === 'load:stopped' && e.driver === 'api');
  const stats = (stopped?.type === 'load:stopped' ? stopped.stats : {}) as { started: number; ended: number; folded: number; outcomes: Record<string, number> };
  t.ok(ops.length >= 200, `${ops.length} operations recorded`);
  t.equal(ops.length + stats.folded, stats.started, 'every started operation is in the history (one by one or folded)');
  const tally: Record<string, number> = {};
  for (const o of ops) if (o.outcome !== 'unfinished') tally[o.outcome] = (tally[o.outcome] ?? 0) + 1;
  t.same(tally, stats.outcomes, 'the outcomes are the driver\'s own counts');
  // Merged by time: the segment's events form one block, in time order, just before load:stopped
  // (none crossed to the main thread while the load ran).
  const mine = inFile.map((e, i) => [e, i] as const).filter(([e]) => e['driver'] === 'api' && e.type !== 'load:started' && e.type !== 'load:stopped');
  const first = mine[0]![1];
  const stopAt = inFile.findIndex((e) => e.type === 'load:stopped' && e['driver'] === 'api');
  t.equal(mine.length, stopAt - first, 'one contiguous block');
  t.ok(first > inFile.findIndex((e) => e.type === 'signal:sent'), 'written after the strike, when the load stopped');
  t.ok(mine.every(([e], k) => k === 0 || mine[k - 1]![0].t <= e.t), 'in time order');
  t.same(fs.readdirSync(path.dirname(file)).filter((f) => f.includes('segment')), [], 'the merged segment is removed');
  t.same(survivors(mark), [], 'nothing left running');
});

t.test('afterResponses fires from the strike thread at the N-th response', async (t) => {
  const mark = newMark();
  t.teardown(() => killSurvivors(mark));
  const r = await runCli(['run', scenario('{ afterResponses: 150, driver: api, timeoutMs: 10000 }')], { mark });
  const run = r.results!.runs[0]!;
  const events = readHistory(path.join(r.outDir, run.history!));
  const fired = events.find((e) => e.type === 'trigger:fired');
  const sent = events.find((e) => e.type === 'signal:sent' && !e.escalation);
  t.ok(fired?.type === 'trigger:fired' && sent?.type === 'signal:sent', r.stderr.slice(-1000));
  if (fired?.type !== 'trigger:fired' || sent?.type !== 'signal:sent') return;
  t.equal(fired.thread, 'strike');
  t.ok(fired.count! >= 150 && fired.countAtSend! >= fired.count!, `count ${fired.count}, at send ${fired.countAtSend}`);
  const responses = events.filter((e) => e.type === 'request:end' && e.driver === 'api' && (e.status !== undefined || e.outcome === 'ok'));
  const nth = responses[149]!;
  t.equal(fired.intendedT, nth.t, 'intended: the moment of the 150th response');
  t.equal(sent.intendedT, nth.t);
  t.ok(nth.t <= sent.t, `the 150th response (${nth.t}) came before the signal (${sent.t})`);
  t.same(survivors(mark), [], 'nothing left running');
});

t.test('a load worker that dies mid-run makes the run an error naming its segment; what it wrote is kept', async (t) => {
  const mark = newMark();
  t.teardown(() => killSurvivors(mark));
  // The worker exits 4 operations after the strike (the target drains for dozens more, or, with no
  // load left to answer 503 to, is killed after 1 s).
  const r = await runCli(['run', scenario('{ afterResponses: 10, driver: api, timeoutMs: 10000 }', 1000)], { mark, env: { SHUTDOWN_DRILL_FAULT_LOAD_EXIT_AFTER: '14' } });
  t.equal(r.code, 1, r.stderr.slice(-1000));
  const run = r.results!.runs[0]!;
  t.equal(run.verdict, 'error');
  t.equal(run.errorCode, 'LOAD_RECORD_INCOMPLETE');
  t.match(run.reason, /load "api": its record is incomplete: segment load-api\.segment\.merged\.jsonl/);
  const file = path.join(r.outDir, run.history!);
  const segment = path.join(path.dirname(file), 'load-api.segment.merged.jsonl');
  t.ok(fs.existsSync(segment), 'the incomplete segment is kept beside the history');
  // Kept under a name that says merged: a `*.segment.jsonl` file is, by definition, unmerged.
  t.same(fs.readdirSync(path.dirname(file)).filter((f) => f.includes('segment')), ['load-api.segment.merged.jsonl']);
  // Every event the worker wrote (its batches, every 10 ms, up to its death) is in the history.
  const written = readSegment(segment).events;
  const events = readHistory(file);
  // (load:started, load:stopped and load:error come from the host, not the segment.)
  const mine = events.filter((e) => 'driver' in e && e.driver === 'api' && !['load:started', 'load:stopped', 'load:error'].includes(e.type));
  t.ok(written.length > 0, `the worker wrote ${written.length} events before dying`);
  t.same(mine.map((e) => `${e.type}@${e.t}`).sort(), written.map((e) => `${e.type}@${e.t}`).sort(), 'all of them are in the history');
  t.ok(events.some((e) => e.type === 'load:error' && /incomplete/.test(e.message)));
  t.same(survivors(mark), [], 'nothing left running');
});
