// In flight means accepted: a server that accepts slowly (backlog 1, accept paused after 2) is
// struck right after its kernel shows a connect waiting in the accept queue (the rest are unanswered
// SYNs).
// drain judges only the 2 it had accepted; the never-accepted connects are counted apart and judged
// by new-work-rejected: dropped from the backlog (gunicorn's bug) fails under that name.
import path from 'node:path';
import t from 'tap';
import { FIXTURES, killSurvivors, newMark, runCli, runEvents, survivors, writeScenario } from '../helpers/cli.js';

const target = path.join(FIXTURES, 'load/targets/backlog.py');

const scenario = writeScenario(`
- name: backlog
  matrix: { mode: ['--drop', '--serve'] }
  target: { command: python3, args: ['${target}', '{port}', '{mode}'], ready: { log: listening } }
  load:
    - http: { name: api, engine: tracked, keepAlive: false, connections: 6, path: /, durationMs: 10000 }
  strike: { at: { onLog: 'accepted 2, queued', delayMs: 300 }, signal: SIGTERM }
  expect:
    exit: { codes: [0] }
    drain: true
    newWorkRejected: true
  timeoutMs: 20000
`);

t.test('connects the server never accepted are not drain failures; a dropped backlog is named', async (t) => {
  const mark = newMark();
  t.teardown(() => killSurvivors(mark));
  const r = await runCli(['run', scenario], { mark });
  t.equal(r.code, 1, `the --drop run fails: ${r.stderr.slice(-2000)}`);
  const runs = r.results!.runs;
  const run = (mode: string) => runs.find((x) => String(x.params.mode) === mode)!;
  const check = (mode: string, name: string) => run(mode).checks.find((c) => c.name === name)!;
  // 6 connects before the signal: 2 accepted, the kernel's accept queue full (1 with backlog 1 on
  // Linux 6), the rest unanswered SYNs (refused when they are retried after the exit).
  const drop = check('--drop', 'drain');
  t.equal(drop.status, 'pass', drop.message);
  const dropActual = drop.actual as { startedBeforeSignal: number; inFlightAtSignal: number; notAccepted: { count: number; outcomes: Record<string, number> } };
  const dropSnap = runEvents(r.outDir, run('--drop').history).find((e) => e.type === 'accept:snapshot') as { queued: number[]; accepted: number[] } | undefined;
  t.ok(dropSnap, 'the accept view was recorded');
  t.equal(dropSnap!.accepted.length, 2, 'the kernel saw 2 accepted');
  t.ok(dropSnap!.queued.length >= 1, `and ${dropSnap!.queued.length} in the accept queue`);
  t.equal(dropActual.startedBeforeSignal, 2, 'drain judged exactly the 2 accepted requests');
  t.equal(dropActual.inFlightAtSignal, 2);
  // Those the kernel held (queued, or established by the client with no server socket: SYN cookies
  // of a full backlog) were reset by the listener's close; the unanswered SYNs were refused.
  t.equal(dropActual.notAccepted.count, 4);
  const dropped = dropActual.notAccepted.outcomes['in the listen backlog: reset'] ?? 0;
  t.ok(dropped >= 1, JSON.stringify(dropActual.notAccepted));
  t.same(dropActual.notAccepted.outcomes, { 'in the listen backlog: reset': dropped, ...(dropped < 4 ? { 'still connecting: refused': 4 - dropped } : {}) });
  t.match(drop.message, /4 connects the server had not accepted at the signal not judged here \(in the listen backlog: reset \d.*; see new-work-rejected\)/);

  // --serve accepts its queue as the signal comes: queued in the view before the signal, it is either
  // served from the backlog (new work, clean) or, when the view after the signal already shows it
  // accepted, judged by drain (the strict side: had the server failed it, drain would fail).
  const serve = check('--serve', 'drain');
  t.equal(serve.status, 'pass', serve.message);
  const serveActual = serve.actual as typeof dropActual;
  t.equal(serveActual.startedBeforeSignal + serveActual.notAccepted.count, 6);
  t.ok(serveActual.startedBeforeSignal >= 2, `${serveActual.startedBeforeSignal} judged`);
  // (Connects the kernel answered with SYN cookies have no server socket to accept: --serve cannot
  // take them either, and they are reset at its close: reported as dropped, whatever the mode.)
  t.ok(Object.keys(serveActual.notAccepted.outcomes).every((k) => ['still connecting: refused', 'in the listen backlog: ok', 'in the listen backlog: reset'].includes(k)), JSON.stringify(serveActual.notAccepted.outcomes));

  const nwr = check('--drop', 'new-work-rejected');
  t.equal(nwr.status, 'fail', nwr.message);
  t.match(nwr.message, new RegExp(`dropped from the listen backlog \\(never accepted: reset\\) ${dropped}`));
  t.same(survivors(mark), [], 'nothing left running');
});
