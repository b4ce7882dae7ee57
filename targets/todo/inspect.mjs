// Inspects a todo database after the batch: every record must be whole (a `todos` row and its
// `todo_details` row) and the sync queue must agree (done <=> whole record).
//   node inspect.mjs --db PATH
// Prints `records=R whole=W half=H done=D queued=Q`; exits 0 when consistent, 1 listing each
// half-written record or queue mismatch otherwise, 2 on bad usage.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { db: { type: 'string' } } });
if (!values.db || !existsSync(values.db)) {
  process.stderr.write(`inspect: --db must name an existing SQLite file, got ${JSON.stringify(values.db)}\n`);
  process.exit(2);
}

const db = new Database(values.db, { fileMustExist: true });
const one = (sql) => db.prepare(sql).get().n;
const records = one('SELECT count(*) AS n FROM todos');
const whole = one('SELECT count(*) AS n FROM todos t JOIN todo_details d ON d.todo_id = t.id');
const problems = [
  ...db.prepare('SELECT id FROM todos WHERE id NOT IN (SELECT todo_id FROM todo_details) ORDER BY id').all()
    .map((r) => `half-written: item ${r.id} has a title but no body`),
  ...db.prepare('SELECT todo_id AS id FROM todo_details WHERE todo_id NOT IN (SELECT id FROM todos) ORDER BY todo_id').all()
    .map((r) => `half-written: item ${r.id} has a body but no title`),
  ...db.prepare(`SELECT item FROM sync_queue WHERE state = 'done' AND item NOT IN (SELECT todo_id FROM todo_details) ORDER BY item`).all()
    .map((r) => `queue mismatch: item ${r.item} is done but its record is not whole`),
  ...db.prepare(`SELECT item FROM sync_queue WHERE state = 'queued' AND item IN (SELECT todo_id FROM todo_details) ORDER BY item`).all()
    .map((r) => `queue mismatch: item ${r.item} is whole but still queued`),
];
const half = records - whole + one('SELECT count(*) AS n FROM todo_details WHERE todo_id NOT IN (SELECT id FROM todos)');
const done = one(`SELECT count(*) AS n FROM sync_queue WHERE state = 'done'`);
const queued = one(`SELECT count(*) AS n FROM sync_queue WHERE state = 'queued'`);
db.close();

process.stdout.write(`records=${records} whole=${whole} half=${half} done=${done} queued=${queued}\n`);
for (const p of problems) process.stdout.write(`${p}\n`);
process.exit(problems.length > 0 ? 1 : 0);
