import fs from 'node:fs';
import type { HistoryEvent } from './events.js';

// Reads a JSON-lines file of events in file order; an unparsable (torn) line is skipped and
// counted. A missing file reads as no events.
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
    try {
      events.push(JSON.parse(line) as HistoryEvent);
    } catch {
      torn++;
    }
  }
  return { events, torn };
}
