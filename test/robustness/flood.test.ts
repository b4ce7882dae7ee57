// Item 3 of issue 6 (the log flood): a target writing a gigabyte of output in a few seconds. The
// harness's memory stays bounded (its peak RSS, read from /proc/<cli pid>/status VmHWM), the run
// finishes in bounded time, and the history keeps the head and tail and counts the rest.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { MISBEHAVING, readEvents, readResults, startCli, tempDir } from './cli.js';
import { describeSurvivors, killSurvivors, newMark } from '../helpers/oracle.js';

const FLOOD_MB = 1024;
const LINE = 1024;
// Measured peaks (VmHWM of the CLI): 143-235 MB on a quiet 2-core machine, up to 303 MB with the
// whole test suite and other work running at once; an unbounded capture passes 1 GB. Most of it is
// V8 heap growth from the decoded output (the live set stays ~20 MB): see the notes for a
// byte-ring capture that would avoid decoding dropped lines.
const RSS_BOUND_KB = 400 * 1024;

// The peak resident set size of a live process (kB), or undefined once it is gone.
function peakRssKb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

t.test(`a target floods ${FLOOD_MB} MB of logs: the harness's memory stays bounded`, async (t) => {
  // Guards: bounded output capture (target/lines.ts HeadTailBuffer keeps `outputLines` lines per
  // stream, head and tail, and counts the rest; long lines are cut). Checked: with
  // HeadTailBuffer.offer() keeping every line, the CLI's VmHWM passed the bound (the poller below
  // killed it at twice the bound) and this test failed.
  const mark = newMark('flood');
  const dir = tempDir('flood');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const out = path.join(dir, 'out');
  const cli = startCli(['run', path.join(MISBEHAVING, 'misbehaving.scenario.yaml'), '--grep', '^floods-its-output$', '--out', out], {
    mark, env: { FLOOD_MB: String(FLOOD_MB), FLOOD_LINE: String(LINE) },
  });
  // Sample the CLI's peak RSS until it exits (VmHWM only grows, so the last sample is the peak up
  // to ~20 ms before the end; the flood is long over by then). Kill it if it runs away.
  let peak = 0;
  let runaway = false;
  let exited = false;
  void cli.done.then(() => {
    exited = true;
  });
  const poller = (async () => {
    while (!exited) {
      const kb = peakRssKb(cli.pid);
      if (kb !== undefined) peak = Math.max(peak, kb);
      if (peak > 2 * RSS_BOUND_KB && !runaway) {
        runaway = true;
        cli.child.kill('SIGKILL');
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const killer = setTimeout(() => cli.child.kill('SIGKILL'), 90_000);
  const res = await cli.done;
  clearTimeout(killer);
  await poller;
  t.notOk(runaway, 'the harness did not run away with memory');
  t.ok(peak > 0, 'sampled the CLI\'s peak RSS');
  t.ok(peak < RSS_BOUND_KB, `peak RSS of the harness ${Math.round(peak / 1024)} MB < ${RSS_BOUND_KB / 1024} MB while the target wrote ${FLOOD_MB} MB`);
  t.comment(`measured: harness VmHWM ${Math.round(peak / 1024)} MB, CLI wall time ${Math.round(res.ms)} ms for a ${FLOOD_MB} MB flood of ${LINE}-byte lines`);
  t.equal(res.code, 0, `the run passes\n${res.stdout}\n${res.stderr}`);

  const run = readResults(out).runs[0]!;
  t.equal(run['verdict'], 'pass', 'its last line ("flood done", in the kept tail) was seen');
  t.ok(run['durationMs'] < 60_000, `the run took ${Math.round(run['durationMs'])} ms`);
  const events = readEvents(out, run['history']);
  const stdoutLines = events.filter((e) => e['type'] === 'log:line' && e['stream'] === 'stdout');
  t.equal(stdoutLines.length, 5_000, 'kept the default 5000 stdout lines (2500 head, 2500 tail)');
  const expectedLines = (FLOOD_MB * 1024 * 1024) / LINE + 2;
  const dropped = events.find((e) => e['type'] === 'log:dropped' && e['stream'] === 'stdout');
  t.ok(dropped, 'the history says how much was dropped (log:dropped)');
  t.equal(dropped?.['dropped'], expectedLines - 5_000, `${dropped?.['dropped']} stdout lines dropped`);
  t.ok(dropped?.['bytes'] > 0.99 * FLOOD_MB * 1024 * 1024, `${dropped?.['bytes']} bytes dropped`);
  const size = fs.statSync(path.join(out, run['history'])).size;
  t.ok(size < 20 * 1024 * 1024, `events.jsonl is ${Math.round(size / 1024)} kB`);
  t.same(describeSurvivors(mark), [], 'nothing left');
});
