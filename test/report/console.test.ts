// The console in CI (no TTY) and on a terminal, on real CLI runs of one ~1.5 s run
// (test/fixtures/console): the header at once, heartbeat lines while the run goes, the phase and
// the elapsed time in the live line. About 8 s.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type { HistoryEvent } from '../../harness/history/events.js';
import { formatComparison, compareResults } from '../../harness/report/compare.js';
import { phaseAfter, progressText, type RunPhase } from '../../harness/report/progress.js';
import { CLI, FIXTURES, killSurvivors, newMark, ROOT, runCli, runEvents, startCli, survivors, tempDir } from '../helpers/cli.js';
import { resultsFileOf, syntheticRun } from '../../bench/report1000.js';

const SCENARIO = path.join(FIXTURES, 'console/slow-drain.scenario.yaml');

// A test's marker and out dir, both cleaned up at its end.
function fresh(t: Tap.Test): { mark: string; out: string } {
  const mark = newMark();
  const out = tempDir('drill-console-');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(out, { recursive: true, force: true });
  });
  return { mark, out };
}

t.test('without a TTY: the header first, at once, then heartbeat lines naming the run, its phase and the time', async (t) => {
  const { mark, out } = fresh(t);
  const t0 = process.hrtime.bigint();
  const cli = startCli(['run', SCENARIO], { mark, cwd: ROOT, outDir: out, env: { SHUTDOWN_DRILL_HEARTBEAT_MS: '300' } });
  // Each stdout line with the time it arrived, from the spawn.
  const seen: Array<{ ms: number; line: string }> = [];
  let partial = '';
  cli.child.stdout!.on('data', (d: Buffer | string) => {
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const parts = (partial + String(d)).split('\n');
    partial = parts.pop()!;
    for (const line of parts) seen.push({ ms, line });
  });
  const r = await cli.done;
  t.equal(r.code, 0, `the run passes (stderr: ${r.stderr.slice(-300)})`);
  const containment = r.results?.containment;
  const header = seen[0]!;
  t.equal(header.line, `shutdown-drill: 1 run of 1 scenario; containment ${containment}; out ${out}`, 'the first line is the header');
  // The header comes before anything of the run (the exact outcome asserted here); its speed goal
  // (within 1 s of the spawn: 0.32 s median on a quiet machine) is the bench figure headerMs, since
  // a shared CI machine's load alone moves it by seconds (1.0-2.1 s, then 1.8 and 3.3 s in
  // fresh-clone CI runs, the last one failing a 3 s bound). 8 s still catches the 11.7 s of
  // silence of a header printed after the executor's import.
  t.ok(header.ms < 8_000, `the header came ${header.ms.toFixed(0)} ms after the spawn`);
  const firstBeat = seen.findIndex((s) => s.line.startsWith('[0/1] '));
  t.ok(firstBeat === 1, 'the header is out before the first heartbeat (the run starts after it)');
  const runLine = seen.findIndex((s) => s.line.startsWith('✓ pass    console/slow-drain'));
  t.ok(runLine > 0, 'the run line comes after the header');
  const beats = seen.slice(1, runLine).map((s) => s.line);
  t.ok(beats.length >= 2, `heartbeat lines while the run went: ${JSON.stringify(beats)}`);
  for (const b of beats) t.match(b, /^\[0\/1\] [\d.]+m?s: console\/slow-drain \((starting|ready|load|strike|draining|checks) [\d.]+m?s\)$/);
  t.ok(beats.some((b) => b.includes('(draining ')), 'a heartbeat saw the run draining');
  t.notOk(r.stdout.includes('\x1b'), 'no escape sequence without a TTY');

  // The phases as the history tells them, in order.
  const events = runEvents(out, r.results!.runs[0]!.history) as unknown as HistoryEvent[];
  const phases: RunPhase[] = [];
  for (const e of events) {
    const next = phaseAfter(e, phases.at(-1));
    if (next && next !== phases.at(-1)) phases.push(next);
  }
  t.same(phases, ['starting', 'ready', 'strike', 'draining', 'checks']);
  t.same(survivors(mark), []);
});

t.test('without a TTY, under load: the heartbeat carries the load\'s live counters (responses, in flight)', async (t) => {
  const { mark, out } = fresh(t);
  const cli = startCli(['run', path.join(FIXTURES, 'console/load-live.scenario.yaml')], { mark, cwd: ROOT, outDir: out, env: { SHUTDOWN_DRILL_HEARTBEAT_MS: '200' } });
  const r = await cli.done;
  t.equal(r.code, 0, `the run passes (stderr: ${r.stderr.slice(-300)})`);
  const beats = r.stdout.split('\n').filter((l) => l.startsWith('[0/1] '));
  const live = beats.flatMap((b) => {
    const m = /\((load|strike|draining) [\d.]+m?s, ([\d,]+) responses?, (\d+) in flight\)$/.exec(b);
    return m ? [{ phase: m[1], responses: Number(m[2]!.replaceAll(',', '')), inFlight: Number(m[3]) }] : [];
  });
  // Under load the run is in `strike` once its trigger is armed (waiting for the moment).
  t.ok(live.filter((l) => l.phase !== 'draining').length >= 2, `heartbeats before the signal show the load's counters: ${JSON.stringify(beats)}`);
  t.ok(live.some((l) => l.responses > 0), 'responses counted while the run goes');
  t.same(live.map((l) => l.responses), [...live.map((l) => l.responses)].sort((a, b) => a - b), 'the response count only grows');
  t.ok(live.every((l) => l.inFlight <= 2), 'no more in flight than the 2 connections');
  const total = runEvents(out, r.results!.runs[0]!.history).filter((e) => e.type === 'request:end' || e.type === 'load:summary');
  t.ok(total.length > 0, 'the history has the load');
  t.same(survivors(mark), []);
});

t.test('on a terminal: the live line shows the elapsed time and the run\'s phase', async (t) => {
  const { mark, out } = fresh(t);
  // A pseudo-terminal from Python's pty module (no CI variable: the reporter paints its live line).
  const child = spawn('python3', ['-c', 'import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)', process.execPath, CLI, 'run', SCENARIO, '--out', out],
    { cwd: ROOT, env: { ...process.env, CI: '', NO_COLOR: '1', DRILL_TEST_MARK: mark }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (d) => (text += String(d)));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(code, 0, text.slice(-500));
  t.match(text, /\r\x1b\[2K\[0\/1\] [\d.]+m?s: console\/slow-drain \(draining [\d.]+m?s\)/, 'the live line with the elapsed time and the phase');
  t.match(text, /shutdown-drill: 1 run of 1 scenario; containment /);
  t.same(survivors(mark), []);
});

t.test('a bad SHUTDOWN_DRILL_HEARTBEAT_MS is a usage error naming it', async (t) => {
  const mark = newMark();
  const r = await runCli(['run', SCENARIO], { mark, cwd: ROOT, env: { SHUTDOWN_DRILL_HEARTBEAT_MS: 'often' } });
  t.equal(r.code, 2);
  t.match(r.stderr, /SHUTDOWN_DRILL_HEARTBEAT_MS must be a whole number of milliseconds >= 100, got "often"/);
  fs.rmSync(r.outDir, { recursive: true, force: true });
});

t.test('progress text: done/total, elapsed, each run with its phase and time in it', async (t) => {
  t.equal(progressText({ done: 3, total: 10, elapsedMs: 12_345, now: 5_000, running: [{ id: 'a', phase: 'draining', sinceMs: 3_800 }, { id: 'b', phase: 'load', sinceMs: 4_600 }, { id: 'c', phase: 'starting', sinceMs: 4_900 }] }),
    '[3/10] 12.3s: a (draining 1.2s), b (load 400ms) +1');
  t.equal(progressText({ done: 0, total: 1, elapsedMs: 125_000, now: 0, running: [] }), '[0/1] 2m05s');
  // The load's live counters, read when the line is made, only while the load runs.
  const live = (responses: number, inFlight: number, clients: number) => () => ({ responses, inFlight, clients });
  t.equal(progressText({ done: 0, total: 2, elapsedMs: 2_000, now: 5_000, running: [{ id: 'a', phase: 'load', sinceMs: 4_000, live: live(12_345, 10, 0) }, { id: 'b', phase: 'draining', sinceMs: 4_500, live: live(1, 0, 50) }] }),
    '[0/2] 2.0s: a (load 1.0s, 12,345 responses, 10 in flight), b (draining 500ms, 1 response, 0 in flight, 50 clients)');
  t.equal(progressText({ done: 0, total: 1, elapsedMs: 0, now: 5_000, running: [{ id: 'a', phase: 'checks', sinceMs: 4_000, live: live(9, 0, 0) }] }), '[0/1] 0ms: a (checks 1.0s)', 'not once the target has exited');
  t.equal(progressText({ done: 0, total: 1, elapsedMs: 0, now: 5_000, running: [{ id: 'a', phase: 'load', sinceMs: 4_000, live: () => undefined }] }), '[0/1] 0ms: a (load 1.0s)', 'nothing without counters');
});

t.test('compare prints the rule paragraph only with --explain', async (t) => {
  const runs = [0, 1, 2].map((r) => syntheticRun({ id: `s/x#${r}`, scenario: 's/x', seed: 7, repeat: r }).run);
  const c = compareResults(resultsFileOf(runs), resultsFileOf(runs), { maxSlowdownPct: 20 });
  const plain = formatComparison(c);
  const explained = formatComparison(c, { explain: true });
  t.notOk(plain.includes(c.rule), 'no rule paragraph by default');
  t.match(plain, /\nrule: --explain prints how slower, faster and worse are decided\n$/);
  t.ok(explained.endsWith(`rule: ${c.rule}\n`), 'the paragraph with --explain');
  t.match(c.rule, /Mann-Whitney U/);
});
