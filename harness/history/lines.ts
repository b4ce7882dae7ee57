import fs from 'node:fs';
import type { HistoryEvent } from './events.js';
import { opLineEvents } from './op-line.js';

// Reads a JSON-lines file of events in file order; an unparsable (torn) line is skipped and
// counted. A missing file reads as no events. A load segment's op line (an array: op-line.ts)
// reads as its two events.
export function readEventLines(file: string): { events: HistoryEvent[]; torn: number } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { events: [], torn: 0 };
  }
  const events: HistoryEvent[] = [];
  let torn = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      torn++;
      continue;
    }
    if (!Array.isArray(v)) {
      events.push(v as HistoryEvent);
      continue;
    }
    const pair = opLineEvents(v);
    if (pair) events.push(pair[0], pair[1]);
    else torn++;
  }
  return { events, torn };
}
