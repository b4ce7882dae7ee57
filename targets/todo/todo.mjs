// A todo CLI running a batch of writes with a sync queue in SQLite (seed 001).
//   node todo.mjs --db PATH [--items N] [--work-ms 50] [--variant V] [--cleanup-hang]
// Each queued item becomes one record in two parts (a `todos` row and its `todo_details` row) and
// its `sync_queue` entry turns from `queued` to `done`. Each item takes --work-ms of "work" between
// the two parts. Variants: correct, broken-half-write, broken-fifo-cleanup,
// broken-exit-zero-on-timeout (see README.md).
import Database from 'better-sqlite3';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const VARIANTS = ['correct', 'broken-half-write', 'broken-fifo-cleanup', 'broken-exit-zero-on-timeout'];
const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    items: { type: 'string', default: '20' },
    'work-ms': { type: 'string', default: '50' },
    'cleanup-timeout-ms': { type: 'string', default: '500' },
    'cleanup-hang': { type: 'boolean', default: false },
    variant: { type: 'string', default: 'correct' },
  },
});
if (!values.db) fatal('--db is required: the SQLite file to write, e.g. --db /tmp/todo.db');
if (!VARIANTS.includes(values.variant)) fatal(`--variant must be one of ${VARIANTS.join(', ')}, got "${values.variant}"`);
const variant = values.variant;
const items = Number(values.items);
const workMs = Number(values['work-ms']);
const cleanupTimeoutMs = Number(values['cleanup-timeout-ms']);

function log(line) {
  process.stdout.write(`${line}\n`);
}
function fatal(message) {
  process.stderr.write(`todo: ${message}\n`);
  process.exit(2);
}

// ---- the shutdown manager: a flag, a cancellation signal, cleanups run LIFO with a timeout ----
const cleanups = [];
const abort = new AbortController();
let shuttingDown = false;

function registerCleanup(name, fn) {
  cleanups.push({ name, fn });
}

async function runCleanups() {
  const order = variant === 'broken-fifo-cleanup' ? [...cleanups] : [...cleanups].reverse();
  let failed = 0;
  for (const { name, fn } of order) {
    log(`cleanup: ${name}`);
    const ctl = new AbortController();
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), cleanupTimeoutMs);
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(() => fn(ctl.signal)).then(() => 'ok'), timeout]);
      if (outcome === 'timeout') {
        ctl.abort();
        failed++;
        log(`cleanup: ${name} timed out after ${cleanupTimeoutMs} ms (abandoned)`);
      }
    } catch (err) {
      failed++;
      log(`cleanup: ${name} failed: ${err.message}`);
    } finally {
      clearTimeout(timer);
    }
  }
  return failed;
}

function onSignal(sig) {
  if (shuttingDown) return; // only the first signal takes effect
  shuttingDown = true;
  log(`shutdown: no new operations (${sig})`);
  abort.abort();
}
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

// ---- the database ----
const db = new Database(values.db);
db.pragma('journal_mode = WAL');
db.exec(`
  CREATE TABLE IF NOT EXISTS todos (id INTEGER PRIMARY KEY, title TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS todo_details (todo_id INTEGER PRIMARY KEY, body TEXT NOT NULL, status TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS sync_queue (item INTEGER PRIMARY KEY, state TEXT NOT NULL CHECK (state IN ('queued', 'done')));
`);
registerCleanup('db', () => db.close());
registerCleanup('sync', async (signal) => {
  if (values['cleanup-hang']) {
    // A flush to a remote that never answers: only the timeout ends it.
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    return;
  }
  const { n } = db.prepare(`SELECT count(*) AS n FROM sync_queue WHERE state = 'queued'`).get();
  log(`sync: ${n} items left queued for the next sync`);
});
registerCleanup('tui', () => {
  // Restores the terminal (nothing to restore when stdout is not a TTY).
});

const enqueue = db.prepare(`INSERT OR IGNORE INTO sync_queue (item, state) VALUES (?, 'queued')`);
db.transaction(() => {
  for (let i = 1; i <= items; i++) enqueue.run(i);
})();
const insertTodo = db.prepare('INSERT INTO todos (id, title) VALUES (?, ?)');
const insertDetails = db.prepare('INSERT INTO todo_details (todo_id, body, status) VALUES (?, ?, ?)');
const markDone = db.prepare(`UPDATE sync_queue SET state = 'done' WHERE item = ?`);
const queued = db.prepare(`SELECT item FROM sync_queue WHERE state = 'queued' ORDER BY item`).all().map((r) => r.item);

// Resolves after the work, or at once when shutdown cancels it; true when cancelled.
async function work() {
  try {
    await sleep(workMs, undefined, { signal: abort.signal });
    return false;
  } catch {
    return true;
  }
}

// One item, both parts in one transaction: committed whole or rolled back whole.
async function processAtomic(id) {
  db.exec('BEGIN IMMEDIATE');
  try {
    insertTodo.run(id, `task ${id}`);
    if (await work()) {
      db.exec('ROLLBACK');
      log(`item ${id} rolled back`);
      return false;
    }
    insertDetails.run(id, `body of task ${id}`, 'open');
    markDone.run(id);
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
  log(`item ${id} committed`);
  return true;
}

// The bug: two autocommitted statements with the work in between. It believes it rolled back.
async function processHalf(id) {
  insertTodo.run(id, `task ${id}`);
  if (await work()) {
    log(`item ${id} rolled back`);
    return false;
  }
  insertDetails.run(id, `body of task ${id}`, 'open');
  markDone.run(id);
  log(`item ${id} committed`);
  return true;
}

const processItem = variant === 'broken-half-write' ? processHalf : processAtomic;
log(`ready: batch of ${queued.length} items`);
let committed = 0;
let index = 0;
for (; index < queued.length; index++) {
  if (shuttingDown) break;
  log(`item ${queued[index]} started`);
  if (await processItem(queued[index])) committed++;
  else break;
}
if (shuttingDown) log(`batch stopped: ${committed} committed, ${queued.length - committed} left queued`);
else log(`batch complete: ${committed} committed`);

const failed = await runCleanups();
if (failed > 0 && variant !== 'broken-exit-zero-on-timeout') {
  log(`exit 1: ${failed} cleanup(s) failed or timed out`);
  process.exit(1);
}
log('exit 0');
process.exit(0);
