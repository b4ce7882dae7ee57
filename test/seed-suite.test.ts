// The built-in seed suite, run by the CLI over scenarios/seed with --repeat 5: every correct run
// passes and every broken run fails, named by exactly the checks that caught it, in every repeat.
// Each broken variant is marked (expect.fails) with exactly those checks, so every run's outcome
// is `expected` and the suite exits 0, saying what was caught by which check.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { killSurvivors, newMark, ROOT, runCli, survivors, tempDir } from './helpers/cli.js';

// About 4-5 minutes on 2 cores (--concurrency 2): the slowest runs wait out a 15 s systemd stop
// (smtp-proxy broken-hang) and a 10 s Kubernetes grace period (ws-chat broken-slow).
t.setTimeout(600_000);
const REPEAT = 5;

// Run name -> the checks that fail it ([] = the run passes).
const TABLE: Record<string, string[]> = {
  'seed/downloader/correct[signal=SIGINT,moment=retry-sleep]': [],
  'seed/downloader/correct[signal=SIGINT,moment=mid-download]': [],
  'seed/downloader/correct[signal=SIGINT,moment=downloads-done]': [],
  'seed/downloader/correct[signal=SIGTERM,moment=retry-sleep]': [],
  'seed/downloader/correct[signal=SIGTERM,moment=mid-download]': [],
  'seed/downloader/correct[signal=SIGTERM,moment=downloads-done]': [],
  'seed/downloader/correct[ctrlC=twice]': [],
  'seed/downloader/broken-leaves-partials': ['files-absent'],
  'seed/downloader/broken-waits-retry': ['time-to-exit'],
  'seed/downloader/broken-ignores-second': ['exit-status', 'time-to-exit', 'log-present'],

  'seed/todo/correct[signal=SIGINT,moment=first-item]': [],
  'seed/todo/correct[signal=SIGINT,moment=mid-batch]': [],
  'seed/todo/correct[signal=SIGTERM,moment=first-item]': [],
  'seed/todo/correct[signal=SIGTERM,moment=mid-batch]': [],
  'seed/todo/correct[cleanup=hang]': [],
  'seed/todo/broken-half-write': ['inspect'],
  'seed/todo/broken-fifo-cleanup': ['exit-status', 'log-order'],
  'seed/todo/broken-exit-zero-on-timeout': ['exit-status'],

  'seed/ws-chat/correct[moment=chatting]': [],
  'seed/ws-chat/correct[moment=in-flight]': [],
  'seed/ws-chat/broken-terminate': ['drain', 'readiness-flip', 'ws-close-codes', 'ws-goodbye'],
  'seed/ws-chat/broken-drops-inflight': ['drain', 'ws-goodbye'],
  'seed/ws-chat/broken-slow': ['exit-status', 'time-to-exit', 'no-escalation', 'ws-close-codes', 'ws-goodbye'],

  'seed/smtp-proxy/correct[signal=SIGTERM,moment=after-ready]': [],
  'seed/smtp-proxy/correct[signal=SIGTERM,moment=under-load]': [],
  'seed/smtp-proxy/correct[signal=SIGINT,moment=after-ready]': [],
  'seed/smtp-proxy/correct[signal=SIGINT,moment=under-load]': [],
  'seed/smtp-proxy/correct[signal=SIGHUP]': [],
  'seed/smtp-proxy/broken-hang': ['exit-status', 'time-to-exit', 'no-escalation', 'log-present'],
  'seed/smtp-proxy/broken-serial-close': ['time-to-exit'],
  'seed/smtp-proxy/broken-exits-on-hup': ['log-present', 'still-running'],

  'seed/http-api/correct[moment=in-flight]': [],
  'seed/http-api/correct[moment=idle-keepalive]': [],
  'seed/http-api/correct[moment=stuck-requests]': [],
  'seed/http-api/broken-keepalive-reset': ['new-work-rejected', 'no-reset'],
  'seed/http-api/broken-inflight-reset': ['drain', 'no-reset', 'readiness-flip'],
  'seed/http-api/broken-close-order': ['log-order'],

  'seed/wrapper/correct[launch=node,signal=SIGTERM,deliver=process]': [],
  'seed/wrapper/correct[launch=node,signal=SIGINT,deliver=process]': [],
  'seed/wrapper/correct[launch=sh-exec,signal=SIGTERM,deliver=process]': [],
  'seed/wrapper/correct[launch=sh-exec,signal=SIGINT,deliver=process]': [],
  'seed/wrapper/correct[launch=sh,signal=SIGINT,deliver=group]': [],
  'seed/wrapper/correct[launch=npm,signal=SIGINT,deliver=group]': [],
  'seed/wrapper/broken-sh-no-exec[signal=SIGTERM,deliver=process]': ['no-orphans', 'log-present'],
  'seed/wrapper/broken-sh-no-exec[signal=SIGINT,deliver=process]': ['exit-status', 'time-to-exit', 'no-escalation', 'log-present'],
  'seed/wrapper/broken-sh-no-exec[signal=SIGTERM,deliver=group]': ['no-orphans', 'log-present'],
  'seed/wrapper/broken-npm-run[signal=SIGTERM,deliver=process]': ['no-orphans', 'log-present'],
  'seed/wrapper/broken-npm-run[signal=SIGINT,deliver=process]': ['exit-status', 'time-to-exit', 'no-escalation', 'log-present'],
  'seed/wrapper/broken-npm-run[signal=SIGTERM,deliver=group]': ['no-orphans', 'log-present'],
};

const python = spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;
const npm = spawnSync('npm', ['--version'], { stdio: 'ignore' }).status === 0;
// Runs that need a command this machine lacks are skipped by the harness, with the reason.
const needs = (name: string): string | undefined =>
  name.startsWith('seed/downloader/') && !python ? 'python3'
    : /^seed\/wrapper\/(correct\[launch=npm|broken-npm-run)/.test(name) && !npm ? 'npm'
      : undefined;

t.test(`the seed suite, --repeat ${REPEAT}: correct runs pass, broken runs fail on exactly their checks, as marked; exit 0`, async (t) => {
  const mark = newMark();
  const out = tempDir('drill-seed-');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(out, { recursive: true, force: true });
  });
  const started = process.hrtime.bigint();
  const r = await runCli(['run', 'scenarios/seed', '--repeat', String(REPEAT), '--concurrency', '2'], { mark, cwd: ROOT, outDir: out });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  t.comment(`seed suite: ${r.results?.runs.length ?? 0} runs in ${wallS.toFixed(0)} s`);
  t.equal(r.code, 0, `exit 0: broken runs fail as marked (stderr: ${r.stderr.slice(-500)})`);
  t.ok(r.results, 'results.json written');
  if (!r.results) return;
  t.equal(r.results.status, 'passed');

  const byName = new Map<string, typeof r.results.runs>();
  for (const run of r.results.runs) {
    const name = run.id.replace(/#\d+$/, '');
    byName.set(name, [...(byName.get(name) ?? []), run]);
  }
  t.same([...byName.keys()].sort(), Object.keys(TABLE).sort(), 'exactly the runs of the table');

  for (const [name, failing] of Object.entries(TABLE)) {
    const runs = byName.get(name) ?? [];
    t.equal(runs.length, REPEAT, `${name}: ${REPEAT} repeats`);
    const missing = needs(name);
    for (const run of runs) {
      const where = `${run.id} (replay: ${run.replay})`;
      if (missing) {
        t.equal(run.verdict, 'skipped', `${where}: skipped without ${missing}`);
        t.match(run.reason, new RegExp(missing), 'the reason names the missing command');
        t.equal(run.outcome, 'skipped', `${where}: outcome skipped`);
        continue;
      }
      const failed = run.checks.filter((c) => c.status !== 'pass');
      t.same(failed.filter((c) => c.status === 'error').map((c) => `${c.name}: ${c.message}`), [], `${where}: every check had evidence`);
      const names = failed.map((c) => c.name);
      t.same(names, failing, `${where}: failing checks ${JSON.stringify(failing)}`);
      t.equal(run.verdict, failing.length ? 'fail' : 'pass', `${where}: verdict`);
      // The mark lists exactly the checks of the table; the outcome is the gate's `expected`.
      t.same(run.fails?.checks ?? [], failing, `${where}: expect.fails lists exactly its failing checks`);
      t.equal(run.outcome, 'expected', `${where}: outcome expected (${run.outcomeNote ?? ''})`);
    }
    // The console says what was caught by which check.
    const caughtBy = (checks: string[]): boolean => r.stdout.includes(`${name}#1: caught by ${checks.join(', ')}`);
    if (failing.length && !missing) t.ok(caughtBy(failing), `${name}: the summary says it was caught by ${failing.join(', ')}`);
  }
  t.match(r.stdout, /runs: \d+ passed, \d+ failed, 0 errored, \d+ skipped; \d+ expected, 0 unexpected, 0 flaky \(passed\)/, 'the summary counts outcomes');
  t.same(survivors(mark), [], 'no process left behind');
});
