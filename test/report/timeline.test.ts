import t from 'tap';
import { syntheticRun } from '../../bench/report1000.js';
import { buildTimeline, OUTCOMES } from '../../harness/report/html/timeline.js';
import type { HistoryEvent } from '../../harness/history/events.js';

t.test('the timeline model of a history: markers, lanes, in-flight series, logs', async (t) => {
  const { events, run } = syntheticRun({ id: 'r', scenario: 's', seed: 3, broken: 'hang', requests: 20, wsClients: 4 });
  const tl = buildTimeline([...events].reverse());
  const signal = tl.markers.find((m) => m.kind === 'signal')!;
  const sent = events.find((e) => e.type === 'signal:sent' && !e.escalation) as Extract<HistoryEvent, { type: 'signal:sent' }>;
  t.equal(signal.t, sent.sentT);
  t.equal(signal.intendedT, sent.intendedT);
  t.match(signal.detail, /intended [\d.]+ ms, sent [\d.]+ ms \(\+[\d.]+ ms\)/);
  t.equal(tl.markers.filter((m) => m.kind === 'escalation').length, 1);
  const exit = events.find((e) => e.type === 'target:exit')!;
  t.same(tl.window, [sent.sentT, exit.t], 'the fault window runs from the signal to the exit');
  t.same(tl.lanes.map((l) => l.name), ['target', 'requests · http', 'connections · http', 'ws clients · ws', 'processes']);
  const requests = tl.lanes[1]!;
  t.equal(requests.spans.length / 5, 20, 'one span per request');
  t.equal(tl.lanes[3]!.rows, 4, 'one row per WebSocket client');
  for (let k = 3; k < tl.lanes[3]!.spans.length; k += 5) t.equal(OUTCOMES[tl.lanes[3]!.spans[k]!], 'abnormal', 'close 1006');
  t.equal(Math.max(...tl.series.inFlight), maxInFlight(events));
  t.equal(tl.series.inFlight.at(-1), 0);
  t.same(tl.ticks.map((l) => l.name), ['readiness probe', 'files', 'log lines']);
  t.equal(tl.logs.line.length, events.filter((e) => e.type === 'log:line').length);
  t.equal(run.verdict, 'fail');
});

t.test('limits keep the model small', async (t) => {
  const events: HistoryEvent[] = [];
  for (let i = 0; i < 5000; i++) events.push({ type: 'log:line', t: i, stream: 'stdout', line: 'x'.repeat(i === 0 ? 5000 : 10) });
  for (let i = 0; i < 100; i++) {
    events.push({ type: 'request:start', t: i, driver: 'http', id: `r${i}` });
  }
  const tl = buildTimeline(events, { maxSpansPerLane: 50, maxRowsPerLane: 10, maxTicksPerLane: 100, maxLogLines: 400, maxLineLength: 100, maxSeriesPoints: 40 });
  t.equal(tl.logs.line.length, 400);
  t.equal(tl.logs.line[0]!.length < 200, true, 'long lines cut');
  t.equal(tl.lanes[0]!.spans.length / 5, 50);
  t.equal(tl.lanes[0]!.rows, 10);
  t.ok(tl.series.t.length <= 40);
  t.equal(Math.max(...tl.series.inFlight), 100, 'the peak survives downsampling');
  t.ok(tl.notes.length >= 3);
  t.same(buildTimeline([]).markers, []);
});

function maxInFlight(events: HistoryEvent[]): number {
  let n = 0;
  let max = 0;
  for (const e of [...events].sort((a, b) => a.t - b.t)) {
    if (e.type === 'request:start') max = Math.max(max, ++n);
    if (e.type === 'request:end') n--;
  }
  return max;
}

t.test('summarized operations and driver counters are drawn', async (t) => {
  const events: HistoryEvent[] = [
    { type: 'load:summary', t: 500, driver: 'http', fromT: 100, toT: 480, ops: 900, outcomes: { ok: 899, 'http-error': 1 }, bytes: 1000, messages: 0 },
    { type: 'load:progress', t: 150, driver: 'http', started: 100, ended: 90, inFlight: 10 },
    { type: 'load:progress', t: 150, driver: 'ws', started: 5, ended: 0, inFlight: 5 },
    { type: 'load:progress', t: 200, driver: 'http', started: 200, ended: 198, inFlight: 2 },
    { type: 'request:start', t: 510, driver: 'http', id: 'r1' },
  ];
  const tl = buildTimeline(events);
  const lane = tl.lanes.find((l) => l.name === 'requests · http')!;
  t.equal(lane.labels[0], '900 operations summarized (ok 899, http-error 1), 1000 bytes');
  t.equal(OUTCOMES[lane.spans[3]!], 'http-error');
  t.same(tl.series.t, [0, 150, 200, 510]);
  t.same(tl.series.counted, [0, 15, 7, 7]);
  t.same(tl.series.inFlight, [0, 0, 0, 1]);
  t.equal(buildTimeline([]).series.counted, null);
});
