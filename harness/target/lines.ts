import type { Readable } from 'node:stream';

export interface CapturedLine {
  t: number;
  line: string;
}

// Splits a stream into lines with bounded memory: lines longer than `maxLineLength` are cut (and
// marked), and the caller decides what to keep. Every line is passed to `onLine` with the time its
// chunk arrived.
export function splitLines(stream: Readable, options: { now: () => number; onLine: (line: CapturedLine) => void; maxLineLength?: number }): { finish: () => void } {
  const max = options.maxLineLength ?? 8_192;
  let partial = '';
  let cut = false;
  stream.setEncoding('utf8');
  const onData = (chunk: string): void => {
    const t = options.now();
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', from);
      if (nl < 0) break;
      // The rest of a line already cut (emitted with its mark) is dropped, never a line of its own:
      // a log check must not match the tail of a long line as if the app had printed it.
      if (!cut) emit(partial + chunk.slice(from, nl), t);
      partial = '';
      cut = false;
      from = nl + 1;
    }
    if (from < chunk.length && !cut) {
      partial += chunk.slice(from);
      if (partial.length > max) {
        emit(partial, t);
        partial = '';
        cut = true;
      }
    }
  };
  const emit = (raw: string, t: number): void => {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length > max) line = `${line.slice(0, max)}… [line cut at ${max} chars]`;
    options.onLine({ t, line });
  };
  stream.on('data', onData);
  stream.on('error', () => {});
  return {
    // Emits a last unterminated line and stops listening.
    finish(): void {
      stream.off('data', onData);
      if (partial) emit(partial, options.now());
      partial = '';
    },
  };
}

// Keeps the first `head` lines and the last `tail` lines of a stream, counting what falls between.
export class HeadTailBuffer {
  private readonly tailLines: CapturedLine[] = [];
  private kept = 0;
  dropped = 0;
  droppedBytes = 0;

  constructor(private readonly head: number, private readonly tail: number) {}

  // Returns true when the line belongs to the head (record it now); otherwise it is held in the
  // tail ring, and whatever the ring pushes out is counted as dropped.
  offer(line: CapturedLine): boolean {
    if (this.kept < this.head) {
      this.kept++;
      return true;
    }
    this.tailLines.push(line);
    if (this.tailLines.length > this.tail) {
      const out = this.tailLines.shift()!;
      this.dropped++;
      this.droppedBytes += out.line.length;
    }
    return false;
  }

  // The held tail, oldest first; empties the ring.
  drainTail(): CapturedLine[] {
    return this.tailLines.splice(0, this.tailLines.length);
  }
}
