// The history's writer and reader (history/writer.ts, history/reader.ts): a round trip, the order
// by time, the redaction of what reaches the file, a torn last line, and the writer's limits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { Clock } from '../../harness/clock.js';
import type { HistoryEvent } from '../../harness/history/events.js';
import { readHistory } from '../../harness/history/reader.js';
import { History, sortByTime } from '../../harness/history/writer.js';
import { configureRedaction } from '../../harness/redact.js';
import { exit, judgeOne, line, sig, spawned } from '../check/synthetic.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-history-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const file = (): string => path.join(tmp, `run${++n}`, 'events.jsonl');
const fileLines = (f: string): HistoryEvent[] => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as HistoryEvent);
// No secret in this process's environment may change what these tests write.
configureRedaction({ envs: [{}] });

t.test('round trip: what the writer recorded, the reader gives back, ordered by time', async (t) => {
  const f = file();
  // The run began a second ago: an event stamped now comes after the hand-stamped ones.
  const history = new History({ clock: new Clock(process.hrtime.bigint() - 1_000_000_000n), file: f, flushMs: 10_000 });
  const sent = [spawned(1), line(2, 'ready'), sig(10), exit(12.345)];
  for (const e of sent) history.emit(e);
  // A worker's event that arrives late, stamped earlier than the last one: the file keeps the
  // order of arrival, the reader and events() the order of time.
  history.emit(line(11, 'late from a worker'));
  const stamped = history.emit({ type: 'run:end' });
  t.ok(stamped.t >= 1000, 'an event without its own t is stamped on the run clock');
  history.close();
  t.same(fileLines(f).map((e) => e.t), [1, 2, 10, 12.345, 11, stamped.t], 'the file is append-only, in arrival order');
  const read = readHistory(f);
  t.same(read, history.events(), 'the reader gives what the writer kept');
  t.same(read.map((e) => e.t), [1, 2, 10, 11, 12.345, stamped.t], 'ordered by time');
  t.equal(judgeOne('exit-status', { exit: { codes: [0] } }, read).status, 'pass', 'a complete history is judged');
  history.emit(line(99, 'after close'));
  t.equal(history.events().length, sent.length + 2, 'an event after close() is dropped');
});

t.test('sortByTime is stable: events of equal time keep their order', async (t) => {
  const events = [line(5, 'a'), line(3, 'b'), line(5, 'c'), line(3, 'd'), line(5, 'e')];
  t.same(sortByTime(events).map((e) => (e as { line: string }).line), ['b', 'd', 'a', 'c', 'e']);
  t.same(events.map((e) => e.t), [5, 3, 5, 3, 5], 'the input is left as it was');
});

t.test('a torn last line (the harness killed mid-write) is left out: the history reads as incomplete', async (t) => {
  const f = file();
  fs.mkdirSync(path.dirname(f), { recursive: true });
  const whole = [spawned(1), sig(10)];
  fs.writeFileSync(f, `${whole.map((e) => JSON.stringify(e)).join('\n')}\n${JSON.stringify(exit(20)).slice(0, 25)}`);
  const read = readHistory(f);
  t.same(read, whole, 'the whole lines only');
  const r = judgeOne('exit-status', { exit: { codes: [0] } }, read);
  t.equal(r.status, 'error', 'the exit lost in the torn line is missing data, never a pass');
  t.equal(r.message, 'the target never exited while the harness watched (or never started)');
});

t.test('secrets never reach the file; the events in memory keep the real text', async (t) => {
  const secret = 'hunter2-swordfish';
  configureRedaction({ envs: [{ API_TOKEN: secret }] });
  t.teardown(() => configureRedaction({ envs: [{}] }));
  const f = file();
  const history = new History({ clock: new Clock(), file: f, flushMs: 10_000 });
  history.emit({ type: 'target:spawned', t: 1, pid: 7, pgid: 7, command: 'node', args: ['app.js', `--token=${secret}`], cwd: '/tmp' });
  history.emit(line(2, `token is ${secret}`));
  // A secret printed across two lines of one stream is redacted in both.
  history.emit(line(3, 'split: hunter2-'));
  history.emit(line(4, 'swordfish and on'));
  history.emit(sig(5));
  history.close();
  const text = fs.readFileSync(f, 'utf8');
  t.notOk(text.includes('hunter2'), 'no part of the secret in the file');
  t.notOk(text.includes('swordfish'), 'not its second half either');
  const written = fileLines(f);
  t.same((written[0] as { args: string[] }).args, ['app.js', '--token=[REDACTED:API_TOKEN]']);
  t.equal((written[1] as { line: string }).line, 'token is [REDACTED:API_TOKEN]');
  t.notMatch((written[2] as { line: string }).line, /hunter2/);
  t.match((written[3] as { line: string }).line, /and on$/);
  t.match(written[4], { type: 'signal:sent', signal: 'SIGTERM' }, 'structure and vocabulary untouched');
  t.equal((history.events()[1] as { line: string }).line, `token is ${secret}`, 'in memory, the real text (checks judge it)');
});

t.test('limits: the last log line is held back for its continuation; a failed write never throws', async (t) => {
  const f = file();
  const clock = new Clock();
  const history = new History({ clock, file: f, flushMs: 10_000 });
  history.emit(sig(clock.now()));
  // Stamped ahead of the clock, so it is surely inside the 250 ms hold when flush() runs.
  history.emit(line(clock.now() + 60_000, 'the last line of stdout'));
  history.flush();
  t.same(fileLines(f).map((e) => e.type), ['signal:sent'], 'flush() holds the last line of a stream back');
  history.close();
  t.same(fileLines(f).map((e) => e.type), ['signal:sent', 'log:line'], 'close() writes it');

  // /dev/full: every write fails with ENOSPC.
  const full = new History({ clock: new Clock(), file: '/dev/full', flushMs: 10_000 });
  full.emit(spawned(1));
  t.doesNotThrow(() => full.flush(true));
  full.emit(exit(2));
  t.doesNotThrow(() => full.close());
  t.equal(full.writeError?.code, 'OUTPUT_WRITE_FAILED');
  t.match(full.writeError?.message ?? '', /^could not write the run's history \/dev\/full: .*the run was judged from the events in memory/);
  t.same(full.events().map((e) => e.type), ['target:spawned', 'target:exit'], 'recording goes on in memory');

  const unwritable = new History({ clock: new Clock(), file: path.join('/dev/null', 'x', 'events.jsonl') });
  unwritable.emit(spawned(1));
  unwritable.close();
  t.equal(unwritable.writeError?.code, 'OUTPUT_WRITE_FAILED', 'a file that cannot be made: the error is recorded, the run goes on');
  t.equal(unwritable.events().length, 1);
});
