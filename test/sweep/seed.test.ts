// The seed systems' strike-time sweeps (scenarios/sweeps/seed.scenario.ts), run as the main job
// runs them: each broken variant has a window, failing on the checks that catch its bug; each
// correct variant has none. About 65 s at --concurrency 1 (41 runs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import t from 'tap';
import { newMark, ROOT, runCli, survivors, tempDir } from '../helpers/cli.js';

t.setTimeout(400_000);

// Sweep -> checks every window of it must name ([] = no window).
const TABLE: Record<string, string[]> = {
  'sweep/downloader/correct-SIGINT-mid-download': [],
  'sweep/downloader/broken-leaves-partials': ['files-absent'],
  'sweep/todo/correct-SIGTERM-mid-batch': [],
  'sweep/todo/broken-half-write': ['inspect'],
  'sweep/http-api/broken-inflight-reset': ['drain', 'no-reset'],
  'sweep/ws-chat/correct-in-flight': [],
  'sweep/ws-chat/broken-drops-inflight': ['drain', 'ws-goodbye'],
  'sweep/smtp-proxy/correct-SIGTERM-under-load': [],
  'sweep/smtp-proxy/broken-serial-close': ['time-to-exit'],
  'sweep/wrapper/correct-node-SIGTERM-process': [],
  'sweep/wrapper/broken-sh-no-exec-SIGTERM-process': ['no-orphans'],
};
const python = spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;

t.test('seed sweeps: a window for each broken variant, none for each correct one', async (t) => {
  const mark = newMark('sweep-seed');
  const out = tempDir('sweep-seed-');
  t.teardown(() => fs.rmSync(out, { recursive: true, force: true }));
  const r = await runCli(['run', 'scenarios/sweeps', '--concurrency', '1'], { mark, cwd: ROOT, outDir: out });
  // The broken variants carry the seed's expect.fails: their sweep runs fail as expected.
  const brokenRuns = (r.results?.runs ?? []).filter((run) => /\/broken-/.test(run.id) && run.verdict === 'fail');
  // An unexpected run is named with its failed checks' own messages (what to look at when it happens).
  const why = (run: (typeof brokenRuns)[number]): string => `${run.id} (${run.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`).join('; ')})`;
  t.ok(brokenRuns.length > 0 && brokenRuns.every((run) => run.outcome === 'expected'), `broken sweep runs are expected failures: ${brokenRuns.filter((run) => run.outcome !== 'expected').map(why).join(', ')}`);
  // As the main job runs them: every run as expected, so the suite exits 0 (a marked point outside
  // its window passes, and is expected: the mark is judged on the sweep).
  t.equal(r.code, 0, `exit 0 (unexpected: ${(r.results?.runs ?? []).filter((run) => run.outcome !== 'expected' && run.outcome !== 'skipped').map((run) => `${run.id} ${run.outcomeNote ?? run.verdict}`).join('; ')})`);
  const sweeps = new Map((r.results?.sweeps ?? []).map((s) => [s.scenario, s]));
  t.same([...sweeps.keys()].sort(), Object.keys(TABLE).sort(), 'one sweep per listed variant');
  for (const [name, checks] of Object.entries(TABLE)) {
    const s = sweeps.get(name);
    if (!s) continue;
    if (name.startsWith('sweep/downloader/') && !python) {
      t.equal(s.verdict, 'skipped', `${name}: skipped without python3`);
      continue;
    }
    if (checks.length === 0) {
      t.same(s.windows, [], `${name}: no window (${s.runs} runs)`);
      t.equal(s.verdict, 'pass', `${name}: ${s.verdict}`);
    } else {
      t.equal(s.verdict, 'fail', `${name}: a window`);
      t.ok(s.windows.length >= 1 && s.windows.every((w) => checks.every((c) => w.failedChecks.includes(c))), `${name}: windows fail on ${checks.join(', ')}: ${JSON.stringify(s.windows.map((w) => [w.fromMs, w.toMs, w.failedChecks]))}`);
    }
    t.ok(s.runs <= 6, `${name}: ${s.runs} runs, within its budget`);
  }
  t.same(survivors(mark), []);
});
