import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock.js';
import { redact } from '../report/redact.js';
import type { EventInput, HistoryEvent } from './events.js';

export type HistoryListener = (event: HistoryEvent) => void;

// An append-only run history: events are stamped on the run's clock (unless they bring their own
// `t`, as events from worker threads do), kept in memory for judging, told to listeners (triggers),
// and appended to events.jsonl as they happen (buffered, flushed every `flushMs` and at close).
export class History {
  readonly clock: Clock;
  readonly file: string | undefined;
  private readonly list: HistoryEvent[] = [];
  private readonly listeners = new Set<HistoryListener>();
  private fd: number | undefined;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: { clock: Clock; file?: string; flushMs?: number }) {
    this.clock = options.clock;
    this.file = options.file;
    if (this.file) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = fs.openSync(this.file, 'w');
      this.timer = setInterval(() => this.flush(), options.flushMs ?? 50);
      this.timer.unref();
    }
  }

  // Appends one event and returns it as stored; after close() events are dropped silently.
  emit(input: EventInput): HistoryEvent {
    const event = { ...input, t: input.t ?? this.clock.now() } as HistoryEvent;
    if (this.closed) return event;
    this.list.push(event);
    if (this.fd !== undefined) this.pending.push(JSON.stringify(event));
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's fault never breaks recording.
      }
    }
    return event;
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

  // Writes buffered events to disk.
  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    // Secrets never reach the file (see report/redact.ts); events in memory keep the real text.
    const text = redact(this.pending.join('\n') + '\n');
    this.pending = [];
    fs.writeSync(this.fd, text);
  }

  // Flushes and closes the file; later emits are ignored.
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
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
