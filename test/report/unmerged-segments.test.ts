// Issue 13: a load worker's history segment (runs/<id>/load-<name>.segment.jsonl) that its host never
// merged, because the harness was SIGKILLed while the load ran, is merged by whatever reads the run
// folder again to judge it (history/run-folder.ts readRunHistory), and marks the record incomplete:
// the run is an error naming the segment, never a pass. Reading only: nothing in the out dir changes.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type { HistoryEvent } from '../../harness/history/events.js';
import { readHistory } from '../../harness/history/reader.js';
import type { ResultsFile } from '../../harness/report/types.js';
import { FIXTURES, killSurvivors, newMark, runCli, startCli, survivors, tempDir, writeScenario } from '../helpers/cli.js';
import { waitNoSurvivors } from '../helpers/oracle.js';

const target = path.join(FIXTURES, 'load/targets/http-drain.mjs');

// Every file under `dir` with its bytes (what report DIR must leave as it found it).
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = fs.readFileSync(file, 'utf8');
  }
  return out;
}

// The events of a JSON-lines file's lines that parse; an op line (an array: history/op-line.ts,
// [driver, id, startT, ..., endT, ...]) is one operation's start and end.
function lines(file: string): Array<Record<string, unknown> & { type: string; t: number }> {
  return fs.readFileSync(file, 'utf8').split('\n').flatMap((l) => {
    try {
      const v = l ? JSON.parse(l) : undefined;
      if (!Array.isArray(v)) return v ? [v] : [];
      return [{ type: 'request:start', id: v[1], t: v[2] }, { type: 'request:end', id: v[1], t: v[6] }];
    } catch {
      return [];
    }
  });
}

t.test('harness SIGKILLed while its http load runs: report DIR counts the unmerged segment\'s operations and says the run is an error naming it', async (t) => {
  // Guards: report/unended.ts describeUnendedRuns (wired into report() in cli-extra.ts) and the
  // merge in history/run-folder.ts readRunHistory. Checked: with the describeUnendedRuns call
  // replaced by [], or readRunHistory returning events.jsonl alone, the stderr matches failed.
  const mark = newMark('unmerged-kill');
  const out = tempDir('unmerged-kill-');
  // A run that would strike only after a minute: the harness is killed long before, mid-load.
  const scenario = writeScenario(`
- name: killed-mid-load
  target: { command: node, args: ['${target}', '{port}', '--graceful'], ready: { http: /health } }
  load:
    - http: { name: api, connections: 4, path: /slow, durationMs: 60000 }
  strike: { at: { afterReadyMs: 60000 }, signal: SIGTERM }
  expect: { exit: { codes: [0] } }
  timeoutMs: 120000
`);
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(path.dirname(scenario), { recursive: true, force: true });
  });
  const cli = startCli(['run', scenario], { mark, outDir: out });
  let ended = false;
  void cli.done.then(() => (ended = true));
  // Handshake: the worker has appended operations to its segment (batches every 10 ms).
  const runs = path.join(out, 'runs');
  const segmentOf = (): string | undefined => (fs.existsSync(runs) ? fs.readdirSync(runs) : []).map((d) => path.join(runs, d, 'load-api.segment.jsonl')).find((f) => fs.existsSync(f));
  const deadline = performance.now() + 30_000;
  let segment: string | undefined;
  for (;;) {
    segment = segmentOf();
    const text = segment ? fs.readFileSync(segment, 'utf8') : '';
    if ((text.match(/"type":"request:end"/g) ?? []).length >= 20) break;
    if (ended) throw new Error(`the harness ended before its load wrote 20 operations: ${(await cli.done).stderr}`);
    if (performance.now() > deadline) throw new Error('the load did not write 20 operations in 30 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  cli.child.kill('SIGKILL');
  const runDir = path.dirname(segment!);
  const name = path.basename(runDir);
  const killed = await cli.done;
  t.equal(killed.signal, 'SIGKILL');
  // The harness's reaper ends its target (the load worker was a thread of the harness).
  await waitNoSurvivors(mark, 5_000).catch((error: Error) => t.fail(error.message));

  const before = snapshot(out);
  t.ok(before[`runs/${name}/load-api.segment.jsonl`], 'the segment was left unmerged beside the history');
  const inHistory = readHistory(path.join(runDir, 'events.jsonl'));
  t.notOk(inHistory.some((e) => e.type === 'run:end'), 'the history has no run:end');
  t.notOk(inHistory.some((e) => e.type === 'request:start'), 'the history itself holds none of the load\'s operations');
  // Counted independently of the harness: one operation per request:start line, plus folded ones.
  const written = lines(segment!);
  const starts = new Set(written.filter((e) => e.type === 'request:start').map((e) => e['id']));
  const ends = new Set(written.filter((e) => e.type === 'request:end').map((e) => e['id']));
  const folded = written.filter((e) => e.type === 'load:summary').reduce((n, e) => n + (e['ops'] as number), 0);
  const total = starts.size + folded;
  const unfinished = [...starts].filter((id) => !ends.has(id)).length;

  const report = await runCli(['report', out], { mark });
  t.equal(report.code, 2, 'a killed suite is still refused (exit 2): it has no verdict');
  t.match(report.stderr, /status "running"/);
  t.match(report.stderr, `run "killed-mid-load" (runs/${name}/events.jsonl): error: its history has no run:end (its harness died during the run)`);
  t.match(report.stderr, `load "api": segment runs/${name}/load-api.segment.jsonl was never merged into the history; with it the load has ${total} operations (${total - unfinished} ended, ${unfinished} unfinished), and its record is incomplete (LOAD_RECORD_INCOMPLETE)`);
  t.ok(total >= 20, `${total} operations counted`);
  t.same(snapshot(out), before, 'report DIR changed nothing in the out dir');
  t.same(survivors(mark), [], 'nothing left running');
});

t.test('a finished run with an unmerged segment: report DIR judges its operations and makes the run an error (LOAD_RECORD_INCOMPLETE) naming it', async (t) => {
  // Guards: the readRunHistory merge and the LOAD_RECORD_INCOMPLETE verdict in cli-extra.ts rejudge.
  // Checked: with readRunHistory returning events.jsonl alone, errorCode, reason and the checks
  // differed; with the `lost` verdict disabled, the run was no error and report DIR exited 0.
  // A real run, then its load's record moved back out of the history into a segment file, as a
  // harness killed before the merge leaves it (a finished suite has none: the host merges at stop).
  const mark = newMark('unmerged-rejudge');
  const out = tempDir('unmerged-rejudge-');
  const scenario = writeScenario(`
- name: rejudged
  target: { command: node, args: ['${target}', '{port}', '--graceful'], ready: { http: /health } }
  load:
    - http: { name: api, connections: 4, path: /health, durationMs: 20000 }
  strike: { at: { afterResponses: 100, driver: api, timeoutMs: 10000 }, signal: SIGTERM, escalate: { afterMs: 5000 } }
  expect: { exit: { codes: [0] }, errorRate: { maxPct: 100, driver: api } }
  timeoutMs: 20000
`);
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(path.dirname(scenario), { recursive: true, force: true });
  });
  const live = await runCli(['run', scenario], { mark, outDir: out });
  const run = live.results!.runs[0]!;
  t.equal(run.verdict, 'pass', `${run.reason ?? ''} ${live.stderr.slice(-800)}`);
  const file = path.join(out, run.history!);
  const all = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const fromWorker = (l: string): boolean => {
    const e = JSON.parse(l) as HistoryEvent;
    return 'driver' in e && e.driver === 'api' && !['load:started', 'load:stopped', 'load:error'].includes(e.type);
  };
  const moved = all.filter(fromWorker);
  t.ok(moved.filter((l) => l.includes('"request:end"')).length >= 100, `${moved.length} events of the load moved to its segment`);
  fs.writeFileSync(file, `${all.filter((l) => !fromWorker(l)).join('\n')}\n`);
  fs.writeFileSync(path.join(path.dirname(file), 'load-api.segment.jsonl'), `${moved.join('\n')}\n`);
  const runsBefore = snapshot(path.join(out, 'runs'));

  const report = await runCli(['report', out], { mark });
  t.equal(report.code, 1, `the suite fails: ${report.stderr}`);
  t.match(report.stdout, /\(1 verdict changed\)/);
  const again = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as ResultsFile;
  const r = again.runs[0]!;
  t.equal(r.verdict, 'error');
  t.equal(r.outcome, 'unexpected');
  t.equal(r.errorCode, 'LOAD_RECORD_INCOMPLETE');
  t.match(r.reason, /^load "api": its record is incomplete: segment load-api\.segment\.jsonl \(\d+ events, merged when the history was read\): it was never merged into the history/);
  // Its operations are judged: the same checks and load metrics as live.
  t.same(r.checks, run.checks, 'the checks see every operation of the segment, as live');
  t.same(r.metrics, run.metrics, 'and the same metrics');
  t.same(snapshot(path.join(out, 'runs')), runsBefore, 'the history and the segment are left as they were');
  t.same(survivors(mark), [], 'nothing left running');
});
