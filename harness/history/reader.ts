import fs from 'node:fs';
import type { HistoryEvent } from './events.js';
import { sortByTime } from './writer.js';

// Reads a saved events.jsonl; a torn last line (the harness was killed mid-write) is skipped.
export function readHistory(file: string): HistoryEvent[] {
  const text = fs.readFileSync(file, 'utf8');
  const events: HistoryEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as HistoryEvent);
    } catch {
      // torn line: ignore
    }
  }
  return sortByTime(events);
}
