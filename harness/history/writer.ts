import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock.js';
import { HarnessError } from '../errors.js';
import { describeWriteError } from '../write-error.js';
import { redactSplit, redactValue } from '../redact.js';
import type { EventInput, HistoryEvent } from './events.js';

// How long the last log line of a stream is held back from the file, waiting for the next line of
// that stream: a secret printed across two lines is redacted in both (see redact.ts).
const HOLD_LINE_MS = 250;
// When the disk is full, the history gives back up to this much of its file so that the run's
// results (results.json, a few KiB) can still be written beside it.
const RESERVE_BYTES = 16 * 1024;

export type HistoryListener = (event: HistoryEvent) => void;

// An append-only run history: events are stamped on the run's clock (unless they bring their own
// `t`, as events from worker threads do), kept in memory for judging, told to listeners (triggers),
// and appended to events.jsonl as they happen (buffered, flushed every `flushMs` and at close).
// Secrets never reach the file (each event's string values are redacted; events in memory keep
// the real text). A failed write (ENOSPC, EACCES, ...) never throws: recording goes on in memory,
// the file keeps what was written, and `writeError` says what happened.
export class History {
  readonly clock: Clock;
  readonly file: string | undefined;
  private readonly list: HistoryEvent[] = [];
  private readonly listeners = new Set<HistoryListener>();
  private fd: number | undefined;
  private pending: HistoryEvent[] = [];
  // Per stream, the previous log line written or pending (for secrets split over two lines).
  private lastLine = new Map<string, { event: HistoryEvent; line: string }>();
  // Log lines rewritten because a secret continued on the next (or came from the previous) line.
  private rewritten = new Map<HistoryEvent, string>();
  private unwritten = new WeakSet<HistoryEvent>();
  private written = 0;
  private lastNewline = 0;
  // The failure that stopped the writes to the file, as an OUTPUT_WRITE_FAILED HarnessError.
  writeError: HarnessError | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  // Events handed to the file (pending ones included) and events written, counted since the start;
  // the callers of whenWritten() waiting for a count to be written.
  private queued = 0;
  private flushed = 0;
  private waiters: Array<{ upTo: number; resolve: (written: boolean) => void }> = [];
  // Flushes again while someone waits (a timer that, unlike the periodic one, keeps node running).
  private waitTimer: NodeJS.Timeout | undefined;

  constructor(options: { clock: Clock; file?: string; flushMs?: number }) {
    this.clock = options.clock;
    this.file = options.file;
    if (this.file) {
      try {
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        this.fd = fs.openSync(this.file, 'w+');
      } catch (error) {
        this.failed(error);
        return;
      }
      this.timer = setInterval(() => this.flush(), options.flushMs ?? 50);
      this.timer.unref();
    }
  }

  // Appends one event and returns it as stored; after close() events are dropped silently.
  emit(input: EventInput): HistoryEvent {
    const event = { ...input, t: input.t ?? this.clock.now() } as HistoryEvent;
    if (this.closed) return event;
    this.list.push(event);
    if (this.fd !== undefined) {
      this.pending.push(event);
      this.queued++;
      this.unwritten.add(event);
      if (event.type === 'log:line') this.pairLine(event);
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's fault never breaks recording.
      }
    }
    return event;
  }

  // Resolves true once every event emitted so far is in the file (flushed now, or once a held log
  // line may go: within HOLD_LINE_MS; at once when the history has no file), false if a write
  // failed first. Never rejects.
  whenWritten(): Promise<boolean> {
    this.flush();
    if (this.writeError) return Promise.resolve(false);
    if (this.fd === undefined || this.flushed >= this.queued) return Promise.resolve(true);
    const waiting = new Promise<boolean>((resolve) => this.waiters.push({ upTo: this.queued, resolve }));
    this.armWait();
    return waiting;
  }

  private armWait(): void {
    if (this.waitTimer || !this.waiters.length || this.fd === undefined) return;
    this.waitTimer = setTimeout(() => {
      this.waitTimer = undefined;
      this.flush();
      this.armWait();
    }, HOLD_LINE_MS);
  }

  // Calls `listener` for every later event; returns the unsubscribe function.
  subscribe(listener: HistoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // The events so far, ordered by time (stable for equal times).
  events(): HistoryEvent[] {
    return sortByTime(this.list);
  }

  // Writes buffered events to disk (the last line of a stream may wait HOLD_LINE_MS for the next);
  // never throws.
  flush(all = false): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    let cut = this.pending.length;
    if (!all) {
      const now = this.clock.now();
      const held = new Set([...this.lastLine.values()].map((l) => l.event));
      const i = this.pending.findIndex((e) => held.has(e) && now - e.t < HOLD_LINE_MS);
      if (i >= 0) cut = i;
    }
    if (cut === 0) return;
    const batch = this.pending.slice(0, cut);
    let text = '';
    for (const event of batch) {
      const line = this.rewritten.get(event);
      this.rewritten.delete(event);
      this.unwritten.delete(event);
      text += `${JSON.stringify(redactValue(line === undefined ? event : { ...event, line }))}\n`;
    }
    this.pending = this.pending.slice(cut);
    const bytes = Buffer.from(text, 'utf8');
    try {
      let off = 0;
      while (off < bytes.length) {
        const n = fs.writeSync(this.fd, bytes, off, bytes.length - off);
        off += n;
        this.written += n;
        const nl = bytes.lastIndexOf(10, off - 1);
        if (nl >= 0) this.lastNewline = this.written - (off - nl - 1);
      }
    } catch (error) {
      this.failed(error);
      return;
    }
    this.flushed += cut;
    const ready = this.waiters.filter((w) => w.upTo <= this.flushed);
    if (ready.length) this.waiters = this.waiters.filter((w) => w.upTo > this.flushed);
    for (const w of ready) w.resolve(true);
  }

  // Pairs a log line with the previous line of its stream: a secret that ends one and starts the
  // other is redacted in both.
  private pairLine(event: HistoryEvent): void {
    if (event.type !== 'log:line') return;
    const key = `${event.source ?? ''}\0${event.stream}`;
    const prev = this.lastLine.get(key);
    let line = event.line;
    if (prev && this.unwritten.has(prev.event)) {
      const pair = redactSplit(prev.line, line);
      if (pair) {
        this.rewritten.set(prev.event, pair[0]);
        line = pair[1];
        this.rewritten.set(event, line);
      }
    }
    this.lastLine.set(key, { event, line });
  }

  // Stops writing after a failed write: keeps what the file holds up to its last whole line (less
  // RESERVE_BYTES when the disk is full, so the run's results fit), records the error.
  private failed(error: unknown): void {
    const errno = (error as NodeJS.ErrnoException).code;
    let kept = errno === 'ENOSPC' || errno === 'EDQUOT' ? Math.max(0, this.lastNewline - RESERVE_BYTES) : this.lastNewline;
    if (this.fd !== undefined) {
      try {
        // Cut at a line boundary, so the file holds whole events only.
        kept = this.trimToLine(kept);
        fs.ftruncateSync(this.fd, kept);
      } catch {
        // the file may be gone or unwritable: nothing more to do
      }
    }
    this.writeError ??= new HarnessError('OUTPUT_WRITE_FAILED', `could not write the run's history ${this.file}: ${describeWriteError(error)}; the run was judged from the events in memory, and the file keeps only its first ${kept} bytes`, { cause: error });
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed
      }
    }
    this.fd = undefined;
    this.pending = [];
    if (this.timer) clearInterval(this.timer);
    for (const w of this.waiters.splice(0)) w.resolve(false);
    clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
  }

  private trimToLine(size: number): number {
    if (this.fd === undefined || size <= 0) return 0;
    const buf = Buffer.alloc(Math.min(size, 64 * 1024));
    const start = size - buf.length;
    const n = fs.readSync(this.fd, buf, 0, buf.length, start);
    const nl = buf.subarray(0, n).lastIndexOf(10);
    return nl < 0 ? (start === 0 ? 0 : this.trimToLine(start)) : start + nl + 1;
  }

  // Flushes and closes the file; later emits are ignored.
  close(): void {
    if (this.closed) return;
    this.flush(true);
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch (error) {
        this.failed(error);
      }
    }
    this.fd = undefined;
    clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    this.rewritten.clear();
    this.lastLine.clear();
    this.listeners.clear();
  }
}

// A stable sort by `t`: events from other threads can arrive slightly late.
export function sortByTime(events: readonly HistoryEvent[]): HistoryEvent[] {
  return events
    .map((e, i) => [e, i] as const)
    .sort((a, b) => a[0].t - b[0].t || a[1] - b[1])
    .map(([e]) => e);
}
