// A load worker's history segment: the worker appends its events (the history's record format, one
// JSON event per line, stamped on the run's clock, with the driver's name) to a file of its own
// beside the run's history, so no operation crosses to the main thread while the load runs; the
// host (worker-host.ts) merges the file into the history when the load stops. The worker's last
// message (`stopped`) seals it: a worker that died first leaves a segment that is read as far as
// it goes (a torn last line is skipped) and reported as incomplete.
import fs from 'node:fs';
import path from 'node:path';
import { msJson } from '../clock.js';
import type { EventInput, HistoryEvent } from '../history/events.js';
import { readEventLines } from '../history/lines.js';
import { requestEndEvent, requestStartEvent } from '../history/op-line.js';
import { SEGMENT_SUFFIX, segmentStem } from '../history/run-folder.js';
import type { EndItem, StartItem, WireItem } from './wire.js';

// The history event of a wire item of driver `driver`.
export function itemEvent(item: WireItem, driver: string): EventInput {
  switch (item[0]) {
    case 0: {
      const [, id, t, conn, op, connecting] = item;
      return requestStartEvent(driver, id, t, conn, op, connecting);
    }
    case 1: {
      const [, id, t, outcome, status, bytes, error, sentT, firstByteT] = item;
      return requestEndEvent(driver, id, t, outcome, status, bytes, error, sentT, firstByteT);
    }
    case 2:
      return { ...item[1], driver } as EventInput;
  }
}

// The segment line of a wire item (with its newline): the JSON of itemEvent(item, driver), built
// without the intermediate object for the per-operation items (a long load writes tens of
// thousands of them from the load worker, on the load's own CPU). Their numbers are the clock's
// times (written by msJson, as JSON writes them) and integer counts, always finite, so a template
// writes them as JSON does. `driverJson` is JSON.stringify(driver).
export function itemLine(item: WireItem, driver: string, driverJson: string = JSON.stringify(driver)): string {
  switch (item[0]) {
    case 0: {
      const [, id, t, conn, op, connecting] = item;
      return `{"type":"request:start","t":${msJson(t)},"driver":${driverJson},"id":${JSON.stringify(id)}${conn !== null ? `,"conn":${JSON.stringify(conn)}` : ''}${op !== null ? `,"op":${JSON.stringify(op)}` : ''}${connecting ? ',"connecting":true' : ''}}\n`;
    }
    case 1: {
      const [, id, t, outcome, status, bytes, error, sentT, firstByteT] = item;
      return `{"type":"request:end","t":${msJson(t)},"driver":${driverJson},"id":${JSON.stringify(id)},"outcome":"${outcome}"${status !== null ? `,"status":${status}` : ''}${bytes !== null ? `,"bytes":${bytes}` : ''}${error !== null ? `,"error":${JSON.stringify(error)}` : ''}${sentT !== null ? `,"sentT":${msJson(sentT)}` : ''}${firstByteT !== null ? `,"firstByteT":${msJson(firstByteT)}` : ''}}\n`;
    }
    case 2:
      return `${JSON.stringify(itemEvent(item, driver))}\n`;
  }
}

// The op line (history/op-line.ts) of an operation whose start and end items are written
// together: the JSON of [driver, id, startT, conn, op, connecting, endT, outcome, status, bytes,
// error, sentT, firstByteT]. `json` gives a string's JSON (the writer caches those of its
// connections and labels); numbers are the clock's times (msJson) and counts, always finite.
export function opLine(start: StartItem, end: EndItem, driverJson: string, json: (s: string) => string = JSON.stringify): string {
  const [, id, startT, conn, op, connecting] = start;
  const [, , endT, outcome, status, bytes, error, sentT, firstByteT] = end;
  return `[${driverJson},${JSON.stringify(id)},${msJson(startT)},${conn === null ? 'null' : json(conn)},${op === null ? 'null' : json(op)},${connecting},${msJson(endT)},"${outcome}",${status},${bytes},${error === null ? 'null' : JSON.stringify(error)},${sentT === null ? 'null' : msJson(sentT)},${firstByteT === null ? 'null' : msJson(firstByteT)}]\n`;
}

// Creates the segment file of driver `name` in `dir` (a fresh name: `load-<name>.segment.jsonl`,
// then `~2`, `~3`, ... when taken), empty; returns its path.
export function createSegmentFile(dir: string, name: string): string {
  const safe = segmentStem(name);
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 1; ; i++) {
    const file = path.join(dir, `load-${safe}${i > 1 ? `~${i}` : ''}${SEGMENT_SUFFIX}`);
    try {
      fs.closeSync(fs.openSync(file, 'wx'));
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || i > 1_000) throw error;
    }
  }
}

// Appends a driver's events to its segment file (in the load worker). A failed write never
// throws: the writer stops and `error` says why (the host then reports the segment incomplete).
export class SegmentWriter {
  private fd: number | undefined;
  error: string | undefined;
  written = 0;

  private readonly driverJson: string;

  constructor(readonly file: string, private readonly driver: string) {
    this.driverJson = JSON.stringify(driver);
    try {
      this.fd = fs.openSync(file, 'a');
    } catch (error) {
      this.error = (error as Error).message;
    }
  }

  // The JSON of the strings seen as connections and labels (a load has few of them).
  private readonly jsonOf = new Map<string, string>();
  private readonly json = (s: string): string => {
    let j = this.jsonOf.get(s);
    if (j === undefined) {
      if (this.jsonOf.size >= 4_096) this.jsonOf.clear();
      this.jsonOf.set(s, (j = JSON.stringify(s)));
    }
    return j;
  };

  // Appends the items as whole lines (one write per batch): an operation's start followed by its
  // end is one op line (history/op-line.ts), any other item one event line.
  write(items: readonly WireItem[]): void {
    if (this.fd === undefined || items.length === 0) return;
    let text = '';
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const next = items[i + 1];
      if (item[0] === 0 && next !== undefined && next[0] === 1 && next[1] === item[1]) {
        text += opLine(item, next, this.driverJson, this.json);
        i++;
      } else {
        text += itemLine(item, this.driver, this.driverJson);
      }
    }
    const bytes = Buffer.from(text, 'utf8');
    try {
      let off = 0;
      while (off < bytes.length) off += fs.writeSync(this.fd, bytes, off, bytes.length - off);
      this.written += items.length;
    } catch (error) {
      this.error = `writing ${this.file}: ${(error as Error).message}`;
      this.close();
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }
}

// Reads a segment file: its events in file order, and how many torn (unparsable) lines were
// skipped. A missing file reads as no events.
export function readSegment(file: string): { events: HistoryEvent[]; torn: number } {
  return readEventLines(file);
}
