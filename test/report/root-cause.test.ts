// One root cause per failing run (harness/report/root-cause.ts) on synthetic check lists, and who
// put an orphan where (harness/check/placement.ts).
import t from 'tap';
import { placementText } from '../../harness/check/placement.js';
import type { CheckResult } from '../../harness/check/types.js';
import type { HistoryEvent } from '../../harness/history/events.js';
import { checkRows, runHeadline } from '../../harness/report/headline.js';
import { rootCauseOf, type RunRootCause } from '../../harness/report/root-cause.js';
import type { RunResult } from '../../harness/report/types.js';

const failed = (name: string, message: string, extra: Partial<CheckResult> = {}): CheckResult =>
  ({ name, passed: false, status: 'fail', expected: null, actual: null, message, ...extra });
const passed = (name: string): CheckResult => ({ name, passed: true, status: 'pass', expected: null, actual: null, message: 'ok' });

// Every non-passing check belongs to exactly one cause.
function partition(rc: RunRootCause): string[] {
  return rc.causes.flatMap((c) => [c.check, ...c.explains.map((x) => x.check)]).sort();
}

const spawned: HistoryEvent = { type: 'target:spawned', t: 1, pid: 100, pgid: 100, command: 'node', args: ['server.js'], cwd: '/w' };
const sigterm: HistoryEvent = { type: 'signal:sent', t: 1000, signal: 'SIGTERM', deliver: 'process', intendedT: 1000, sentT: 1000, step: 0, escalation: false, pids: [100] };
const sigkill: HistoryEvent = { type: 'signal:sent', t: 4000, signal: 'SIGKILL', deliver: 'tree', intendedT: 4000, sentT: 4000, step: 1, escalation: true, pids: [100] };
const killedExit: HistoryEvent = { type: 'target:exit', t: 4002, code: null, signal: 'SIGKILL', shellCode: 137, byHarness: false };

t.test('a hang until SIGKILL: one headline; exit, time, the lines never printed and the operations cut at the kill folded under it', async (t) => {
  const events: HistoryEvent[] = [spawned, sigterm, sigkill, killedExit];
  const checks = [
    failed('exit-status', 'exited with signal SIGKILL (137), expected code 0'),
    failed('time-to-exit', 'exited 3002.000 ms after SIGTERM, over the 2000 ms budget by 1002.000 ms'),
    failed('no-escalation', 'still alive 3000.000 ms after SIGTERM: escalated to SIGKILL'),
    passed('no-orphans'),
    failed('log-present', 'never printed: /^bye$/'),
    // Reset at +3001 ms: after the kill at +3000 ms.
    failed('no-reset', '2 reset(s)', { details: [{ driver: 'api', id: 'r1', outcome: 'reset', startOffsetMs: 2990, endOffsetMs: 3001 }, { driver: 'api', id: 'r2', outcome: 'reset', startOffsetMs: 2995, endOffsetMs: 3000.5 }] }),
    failed('files-absent', '1 entry left: upload.part'),
  ];
  const rc = rootCauseOf(checks, events)!;
  t.equal(rc.causes.length, 2, 'the hang, and the leftover file on its own');
  const [hang, file] = rc.causes;
  t.same([hang!.kind, hang!.check], ['escalation', 'no-escalation']);
  t.equal(hang!.headline, 'did not exit after SIGTERM: still running 3.0 s later, so it was killed with SIGKILL');
  t.same(hang!.explains.map((x) => x.check), ['exit-status', 'time-to-exit', 'log-present', 'no-reset']);
  t.same(hang!.explains.find((x) => x.check === 'no-reset')!.why, 'cut by the SIGKILL');
  t.same([file!.kind, file!.headline], ['check', 'files-absent: 1 entry left: upload.part']);
  t.equal(rc.headline, `${hang!.headline} (and 1 other cause: files-absent)`);
  t.same(partition(rc), ['exit-status', 'files-absent', 'log-present', 'no-escalation', 'no-reset', 'time-to-exit'], 'every failed check in exactly one cause');
});

t.test('a reset before the kill is not folded under it (the evidence must show the cut)', async (t) => {
  // Guards cutAt(): with its every() check removed (every load failure folded), this test fails.
  const events: HistoryEvent[] = [spawned, sigterm, sigkill, killedExit];
  const checks = [
    failed('no-escalation', 'still alive 3000.000 ms after SIGTERM: escalated to SIGKILL'),
    failed('no-reset', '2 reset(s)', { details: [{ driver: 'api', id: 'r1', outcome: 'reset', startOffsetMs: 10, endOffsetMs: 12 }, { driver: 'api', id: 'r2', outcome: 'reset', startOffsetMs: 2995, endOffsetMs: 3001 }] }),
    failed('drain', 'summarized', { details: [{ driver: 'api', outcome: 'reset', count: 3, summarized: true, fromOffsetMs: -50, toOffsetMs: -1 }] }),
  ];
  const rc = rootCauseOf(checks, events)!;
  t.same(rc.causes.map((c) => [c.check, c.explains.map((x) => x.check)]), [['no-escalation', []], ['no-reset', ['drain']]],
    'the early reset stands as its own cause (and explains the drain it broke); nothing is folded under the kill');
  t.same(partition(rc), ['drain', 'no-escalation', 'no-reset']);
});

t.test('a wrapper that exits leaves its child: the orphan is the cause and names who was left', async (t) => {
  const events: HistoryEvent[] = [
    { type: 'target:spawned', t: 1, pid: 200, pgid: 200, command: 'sh', args: ['-c', 'node /srv/app.mjs; echo done'], cwd: '/w' },
    { type: 'process:seen', t: 2, pid: 200, ppid: 1, pgid: 200, sid: 1, cmd: 'sh -c node /srv/app.mjs; echo done' },
    { type: 'process:seen', t: 3, pid: 201, ppid: 200, pgid: 200, sid: 1, cmd: '/usr/bin/node /srv/app.mjs' },
    { ...sigterm, pids: [200] },
    { type: 'target:exit', t: 1002, code: null, signal: 'SIGTERM', shellCode: 143, byHarness: false },
    { type: 'orphan:found', t: 1010, pid: 201, ppid: 1, pgid: 200, sid: 1, cmd: '/usr/bin/node /srv/app.mjs', escapedGroup: false, livedMs: 8 },
    { type: 'orphan:killed', t: 1011, pids: [201], survivors: [], verified: true },
  ];
  const checks = [passed('exit-status'), failed('no-orphans', '1 process outlived the target'), failed('log-present', 'never printed: /^graceful shutdown complete$/')];
  const rc = rootCauseOf(checks, events)!;
  t.equal(rc.causes.length, 1);
  t.same([rc.causes[0]!.kind, rc.causes[0]!.check], ['wrapper-exit', 'no-orphans']);
  t.equal(rc.headline, 'the wrapper `sh -c node app.mjs; echo done` (pid 200) exited (signal SIGTERM (143)) 2.0 ms after SIGTERM and left its child `node app.mjs` (pid 201) running');
  t.same(rc.causes[0]!.explains.map((x) => x.check), ['log-present']);
});

t.test('without a history (results written before root causes) each failed check is its own cause; a pass has none', async (t) => {
  const checks = [failed('exit-status', 'exited with code 1, expected code 0'), failed('no-escalation', 'escalated'), { ...failed('drain', 'no operation was in flight'), status: 'error' as const }];
  const rc = rootCauseOf(checks, [])!;
  t.same(rc.causes.map((c) => [c.kind, c.check]), [['check', 'exit-status'], ['check', 'no-escalation'], ['check', 'drain']]);
  t.equal(rc.causes[2]!.headline, 'drain (no evidence): no operation was in flight');
  t.equal(rc.headline, 'exit-status: exited with code 1, expected code 0 (and 2 other causes: no-escalation, drain)');
  t.equal(rootCauseOf([passed('exit-status')], []), null);
  const run = { id: 'r', scenario: 's', params: {}, seed: 1, repeat: 1, verdict: 'fail', checks, metrics: {}, exit: null, history: null } as RunResult;
  t.equal(runHeadline(run), rc.headline, 'the reporters\' headline');
  t.same(checkRows(run).map((r) => [r.check.name, r.causedBy]), [['exit-status', null], ['no-escalation', null], ['drain', null]], 'every failed check is listed');
  t.equal(runHeadline({ ...run, verdict: 'pass', checks: [passed('exit-status')] }), null);
});

t.test('a headline is one line however the check messages read', async (t) => {
  const rc = rootCauseOf([failed('log-absent', 'printed: /x/ in "a\nb\r\u001b[31mc"')], [])!;
  t.notMatch(rc.headline, /[\n\r\u001b]/);
});

t.test('who put an orphan where: the target\'s group, an init (tini), setsid, the app', async (t) => {
  const base: HistoryEvent[] = [
    { type: 'target:spawned', t: 1, pid: 300, pgid: 300, command: 'tini', args: ['--', 'node', 'app.js'], cwd: '/w' },
    { type: 'process:seen', t: 2, pid: 300, ppid: 1, pgid: 300, sid: 5, cmd: '/usr/bin/tini -- node app.js' },
    { type: 'process:seen', t: 3, pid: 301, ppid: 300, pgid: 301, sid: 5, cmd: 'node app.js' },
    { type: 'process:seen', t: 4, pid: 302, ppid: 301, pgid: 302, sid: 302, cmd: 'node worker.js' },
    { type: 'process:seen', t: 5, pid: 303, ppid: 301, pgid: 303, sid: 5, cmd: 'node helper.js' },
    { type: 'process:seen', t: 6, pid: 304, ppid: 301, pgid: 300, sid: 5, cmd: 'node same.js' },
  ];
  t.equal(placementText({ pid: 301, pgid: 301, sid: 5 }, base), 'in a process group of its own, made by its parent `tini -- node app.js` (pid 300), an init (it gives its child a group of its own)');
  t.match(placementText({ pid: 302, pgid: 302, sid: 302 }, base), /^in a session of its own \(setsid: by itself, by the `setsid` command, or by its parent `node app\.js` \(pid 301\), the app before the exec\)$/);
  t.equal(placementText({ pid: 303, pgid: 303, sid: 5 }, base), 'in a process group of its own (setpgid: by itself or by its parent `node app.js` (pid 301), the app)');
  t.equal(placementText({ pid: 304, pgid: 300, sid: 5 }, base), "in the target's process group");
  t.equal(placementText({ pid: 305, pgid: 301, sid: 5 }, base), 'in the process group that `tini -- node app.js` (pid 300), an init, made for its child `node app.js` (pid 301)');
  t.equal(placementText({ pid: 306, pgid: 303, sid: 5 }, base), 'in the process group of `node helper.js` (pid 303)');
});

t.test('a second Ctrl+C not acted on, and WebSocket clients dropped with 1006: each one cause with its consequences', async (t) => {
  const second: HistoryEvent = { ...sigterm, signal: 'SIGINT', t: 1200, intendedT: 1200, sentT: 1200, step: 1 };
  const first: HistoryEvent = { ...sigterm, signal: 'SIGINT' };
  const slowExit: HistoryEvent = { type: 'target:exit', t: 4000, code: 0, signal: null, shellCode: 0, byHarness: false };
  const ignored = rootCauseOf([
    failed('exit-status', 'exited with code 0, expected code 130'),
    failed('time-to-exit', 'exited 2800.000 ms after SIGINT, over the 500 ms budget', { expected: { maxMs: 500, from: 'last-signal' } }),
    failed('log-present', 'never printed: /forced exit/'),
  ], [spawned, first, second, slowExit])!;
  t.same(ignored.causes.map((c) => [c.kind, c.check, c.explains.map((x) => x.check)]), [['ignored-signal', 'time-to-exit', ['exit-status', 'log-present']]]);
  t.equal(ignored.headline, 'did not act on the second SIGINT: exited 2.8 s after it (code 0), by the path it was already on');
  // Measured from the first signal, a slow exit is no evidence about the second one.
  const fromFirst = rootCauseOf([failed('time-to-exit', 'slow', { expected: { maxMs: 500, from: 'first-signal' } }), failed('exit-status', 'code 0')], [spawned, first, second, slowExit])!;
  t.same(fromFirst.causes.map((c) => c.kind), ['check', 'check']);

  const dropped = rootCauseOf([
    failed('ws-close-codes', '2 of 2 clients did not get a close code in [1001]', { actual: { clients: 2 }, details: [{ driver: 'ws', client: 'c1', code: 1006, offsetMs: 14 }, { driver: 'ws', client: 'c2', code: 1006, offsetMs: 15 }] }),
    failed('ws-goodbye', '2 of 2 clients closed without a goodbye', { details: [{ driver: 'ws', client: 'c1', closeOffsetMs: 14 }, { driver: 'ws', client: 'c2', closeOffsetMs: 15 }] }),
    failed('drain', '3 failed', { details: [{ driver: 'ws', id: 'm1', outcome: 'closed', startOffsetMs: -5, endOffsetMs: 14 }] }),
    failed('readiness-flip', 'the listener closed before readiness flipped'),
  ], [spawned, sigterm])!;
  t.same(dropped.causes.map((c) => [c.kind, c.check, c.explains.map((x) => x.check)]), [['dropped-connections', 'ws-close-codes', ['ws-goodbye', 'drain']], ['check', 'readiness-flip', []]]);
  t.equal(dropped.causes[0]!.headline, 'dropped 2 of 2 WebSocket connections without a close frame (1006), the first 14 ms after SIGTERM');
  // A client closed properly (1001) but missing its goodbye is not explained by the drops.
  const mixed = rootCauseOf([
    failed('ws-close-codes', '1 of 2', { details: [{ driver: 'ws', client: 'c1', code: 1006, offsetMs: 14 }] }),
    failed('ws-goodbye', '2 of 2', { details: [{ driver: 'ws', client: 'c1', closeOffsetMs: 14 }, { driver: 'ws', client: 'c2', closeOffsetMs: 30 }] }),
  ], [spawned, sigterm])!;
  t.same(mixed.causes.map((c) => [c.check, c.explains.map((x) => x.check)]), [['ws-close-codes', []], ['ws-goodbye', []]]);
});

t.test('a target the harness had to end (no escalation planned): one cause for the exit, the time and the missing lines', async (t) => {
  const rc = rootCauseOf([
    failed('exit-status', 'the target did not exit by itself'),
    failed('time-to-exit', 'the target had not exited by itself'),
    failed('log-present', 'never printed: /bye/'),
  ], [spawned, sigterm, { type: 'harness:stop', t: 31_000, reason: 'timeout' }, { type: 'target:exit', t: 31_005, code: null, signal: 'SIGKILL', shellCode: 137, byHarness: true }])!;
  t.same(rc.causes.map((c) => [c.kind, c.check, c.explains.map((x) => x.check)]), [['harness-ended', 'time-to-exit', ['exit-status', 'log-present']]]);
  t.equal(rc.headline, 'never exited by itself: still running 30.0 s after SIGTERM, when the harness ended it (timeout)');
});

t.test('a long headline is cut between words only: a secret in an argument is shown whole or not at all', async (t) => {
  const secret = 'hunter2-very-long-secret-token-value';
  const events: HistoryEvent[] = [
    { type: 'target:spawned', t: 1, pid: 200, pgid: 200, command: 'sh', args: ['-c', `node /srv/app.mjs --a --b --c --dddddddd --token ${secret}; echo`], cwd: '/w' },
    { type: 'process:seen', t: 3, pid: 201, ppid: 200, pgid: 200, sid: 1, cmd: `node /srv/app.mjs --x1 --x2 --x3 --x4 --x5 --token ${secret}` },
    { ...sigterm, pids: [200] },
    { type: 'target:exit', t: 1002, code: 0, signal: null, shellCode: 0, byHarness: false },
    { type: 'orphan:found', t: 1010, pid: 201, ppid: 1, pgid: 200, sid: 1, cmd: `node /srv/app.mjs --x1 --x2 --x3 --x4 --x5 --token ${secret}`, escapedGroup: false },
  ];
  const rc = rootCauseOf([failed('no-orphans', 'x'), failed('files-absent', `left: ${'y'.repeat(390)} ${secret}`)], events)!;
  for (const text of [rc.headline, ...rc.causes.map((c) => c.headline)]) {
    // Whole occurrences are redaction's to replace; what is left must hold no start of the secret.
    const rest = text.split(secret).join('');
    t.notOk(rest.includes(secret.slice(0, 6)), `no part of the secret in: ${text}`);
  }
  t.match(rc.causes[0]!.headline, /`sh -c node app\.mjs --a --b --c --dddddddd --token…`/, 'the cut falls before the secret');
  t.ok(rc.causes[1]!.headline.length <= 400);
});
