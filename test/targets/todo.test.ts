// The todo target (seed 001): correct vs broken variants, driven directly, with the database
// inspected afterwards by targets/todo/inspect.mjs.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { spawnTarget, tempDir, TARGETS } from './spawn-target.js';

const DIR = path.join(TARGETS, 'todo');

function inspect(db: string): { code: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [path.join(DIR, 'inspect.mjs'), '--db', db], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout };
}

// Starts a batch of 20 items, strikes right after item 3 committed, returns the exit and output.
async function strikeMidBatch(t: Test, variant: string, sig: NodeJS.Signals, extra: string[] = []) {
  const db = path.join(tempDir(t, 'todo-'), 'todo.db');
  const p = spawnTarget(t, process.execPath, [path.join(DIR, 'todo.mjs'), '--db', db, '--items', '20', '--work-ms', '100', '--variant', variant, ...extra]);
  await p.waitFor(/^ready: batch of 20 items/);
  await p.waitFor(/^item 3 committed/);
  p.signal(sig);
  const exit = await p.exited;
  const cleanups = p.lines.filter((l) => /^cleanup: (tui|sync|db)$/.test(l));
  return { db, exit, out: p.output(), cleanups };
}

t.test('correct: SIGINT and SIGTERM alike keep committed items, roll back the current one, run cleanups LIFO, exit 0', async (t) => {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const { db, exit, out, cleanups } = await strikeMidBatch(t, 'correct', sig);
    t.same([exit.code, exit.signal], [0, null], `${sig}: exit 0`);
    t.match(out, new RegExp(`shutdown: no new operations \\(${sig}\\)`));
    t.match(out, /^item 4 rolled back$/m);
    t.notMatch(out, /^item 5 started$/m, 'no new item after the signal');
    t.same(cleanups, ['cleanup: tui', 'cleanup: sync', 'cleanup: db']);
    const r = inspect(db);
    t.equal(r.code, 0);
    t.match(r.stdout, /^records=3 whole=3 half=0 done=3 queued=17$/m);
  }
});

t.test('correct: a cleanup over its timeout makes the exit status 1', async (t) => {
  const { exit, out, cleanups } = await strikeMidBatch(t, 'correct', 'SIGTERM', ['--cleanup-hang']);
  t.same([exit.code, exit.signal], [1, null]);
  t.match(out, /cleanup: sync timed out after 500 ms/);
  t.same(cleanups, ['cleanup: tui', 'cleanup: sync', 'cleanup: db'], 'the next cleanups still ran');
});

t.test('broken-half-write: the interrupted item is left half-written and inspect says so', async (t) => {
  const { db, exit } = await strikeMidBatch(t, 'broken-half-write', 'SIGINT');
  t.same([exit.code, exit.signal], [0, null]);
  const r = inspect(db);
  t.equal(r.code, 1);
  t.match(r.stdout, /^records=4 whole=3 half=1 done=3 queued=17$/m);
  t.match(r.stdout, /^half-written: item 4 has a title but no body$/m);
});

t.test('broken-fifo-cleanup: cleanups run in registration order (db first, so sync fails)', async (t) => {
  const { db, exit, out, cleanups } = await strikeMidBatch(t, 'broken-fifo-cleanup', 'SIGTERM');
  t.same(cleanups, ['cleanup: db', 'cleanup: sync', 'cleanup: tui']);
  t.match(out, /cleanup: sync failed: The database connection is not open/);
  t.same([exit.code, exit.signal], [1, null]);
  t.equal(inspect(db).code, 0, 'the data itself is consistent');
});

t.test('broken-exit-zero-on-timeout: a cleanup timed out but the exit status is 0', async (t) => {
  const { exit, out } = await strikeMidBatch(t, 'broken-exit-zero-on-timeout', 'SIGTERM', ['--cleanup-hang']);
  t.match(out, /cleanup: sync timed out after 500 ms/);
  t.same([exit.code, exit.signal], [0, null]);
});

t.test('without a signal the whole batch commits and inspect agrees', async (t) => {
  const db = path.join(tempDir(t, 'todo-'), 'todo.db');
  const p = spawnTarget(t, process.execPath, [path.join(DIR, 'todo.mjs'), '--db', db, '--items', '5', '--work-ms', '1']);
  const exit = await p.exited;
  t.same([exit.code, exit.signal], [0, null]);
  t.match(p.output(), /batch complete: 5 committed/);
  t.match(inspect(db).stdout, /^records=5 whole=5 half=0 done=5 queued=0$/m);
});
