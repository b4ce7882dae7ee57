// Output capture and /proc parsing (target/lines.ts, target/proc.ts), pure or on an in-memory
// stream: lines split across chunks, CRLF, an unterminated last line, a line over the cap; the
// head/tail buffer's counts; a stat line whose command holds spaces and parentheses.
import { PassThrough } from 'node:stream';
import t from 'tap';
import { HeadTailBuffer, splitLines, type CapturedLine } from '../../harness/target/lines.js';
import { parseStat } from '../../harness/target/proc.js';

t.test('splitLines: chunks joined into lines, CRLF trimmed, a long line cut once, the last one on finish', async (t) => {
  const stream = new PassThrough();
  const got: CapturedLine[] = [];
  let now = 1;
  const split = splitLines(stream, { now: () => now, onLine: (l) => got.push(l), maxLineLength: 10 });
  const write = (chunk: string): void => {
    stream.write(chunk);
  };
  write('hel');
  now = 2;
  write('lo\r\nworld\n');
  now = 3;
  write('0123456789abcdefghij\nend');
  await new Promise((resolve) => setImmediate(resolve));
  now = 4;
  split.finish();
  t.same(got, [
    { t: 2, line: 'hello' },
    { t: 2, line: 'world' },
    { t: 3, line: '0123456789… [line cut at 10 chars]' },
    { t: 4, line: 'end' },
  ]);
  stream.destroy();
});

t.test('splitLines: the rest of a long line cut in an earlier chunk is dropped, not emitted as a line', async (t) => {
  const stream = new PassThrough();
  const got: string[] = [];
  const split = splitLines(stream, { now: () => 0, onLine: (l) => got.push(l.line), maxLineLength: 10 });
  for (const chunk of ['0123456789ab', 'cdef', 'ghij\nnext\n']) {
    stream.write(chunk);
    await new Promise((resolve) => setImmediate(resolve));
  }
  split.finish();
  t.same(got, ['0123456789… [line cut at 10 chars]', 'next']);
  stream.destroy();
});

t.test('HeadTailBuffer keeps the head and the last lines, and counts what it dropped', async (t) => {
  const buf = new HeadTailBuffer(2, 3);
  const kept = Array.from({ length: 8 }, (_, i) => buf.offer({ t: i, line: `line${i}` }));
  t.same(kept, [true, true, false, false, false, false, false, false], 'the first two go to the history at once');
  t.same(buf.drainTail().map((l) => l.line), ['line5', 'line6', 'line7'], 'the tail, oldest first');
  t.equal(buf.dropped, 3);
  t.equal(buf.droppedBytes, 15);
  t.same(buf.drainTail(), [], 'drained');
});

t.test('parseStat reads a command holding spaces and parentheses', async (t) => {
  const fields = ['S', '1', '4242', '4242', '0', '-1', '4194560', ...Array(10).fill('0'), '7', '0', '987654'];
  // Fields 23-40 as zeros, then field 41 (the scheduling policy: 1, SCHED_FIFO).
  t.same(parseStat(`4243 (my (odd) app) ${fields.join(' ')} 0 0 ${Array(16).fill('0').join(' ')} 1 0 0`), { pid: 4243, comm: 'my (odd) app', state: 'S', ppid: 1, pgid: 4242, sid: 4242, start: 987654, flags: 4194560, threads: 7, policy: 1 });
  t.equal(parseStat('garbage'), undefined);
  const self = parseStat(`${process.pid} (node) R 1 2 3 0 -1 0 ${Array(12).fill('0').join(' ')} 55`);
  t.match(self, { pid: process.pid, comm: 'node', ppid: 1, start: 55 });
});
