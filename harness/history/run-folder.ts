// A run folder's history as the judges read it: events.jsonl plus any load segment the harness did
// not merge into it. A load worker appends its events to `load-<name>.segment.jsonl` beside the
// history (load/segment.ts); the host merges the file when the load stops and then deletes it
// (sealed) or renames it `load-<name>.segment.merged.jsonl` (kept, incomplete). So a file still
// named `*.segment.jsonl` is, by definition, unmerged: its harness died (SIGKILL) while the load ran.
import fs from 'node:fs';
import path from 'node:path';
import type { HistoryEvent } from './events.js';
import { readEventLines } from './lines.js';
import { readHistory } from './reader.js';
import { sortByTime } from './writer.js';

// The suffix of a segment not (yet) merged into its history.
export const SEGMENT_SUFFIX = '.segment.jsonl';
// The suffix of a segment merged into its history but kept on disk (it was incomplete).
export const MERGED_SEGMENT_SUFFIX = '.segment.merged.jsonl';

// The name a merged, kept segment is renamed to: `load-api.segment.jsonl` -> `load-api.segment.merged.jsonl`.
export function mergedSegmentName(file: string): string {
  return file.endsWith(SEGMENT_SUFFIX) ? `${file.slice(0, -SEGMENT_SUFFIX.length)}${MERGED_SEGMENT_SUFFIX}` : `${file}.merged`;
}

// The message (a load:error's, and the run's reason) of a load whose record is incomplete, the
// same live (worker-host.ts) and when a run folder is read again (readRunHistory).
export function incompleteSegmentMessage({ driver, segment, kept, why }: { driver: string; segment: string; kept: string; why: string }): string {
  return `load "${driver}": its record is incomplete: segment ${segment} (${kept}): ${why}; the operations after its last write are lost, so the load's checks cannot be trusted`;
}

// A segment found unmerged beside a history.
export interface UnmergedSegment {
  // Its file name in the run folder.
  file: string;
  // The driver it belongs to (from its events; else the load:started whose name gives its file name).
  driver: string;
  // Its events merged into the history read (those the history did not already hold), and torn lines skipped.
  merged: number;
  torn: number;
  // The load:error added for it (the same words as the live path's).
  message: string;
}

// The unmerged segment files (`load-*.segment.jsonl`) of the run folder `dir`, by name, and
// whether each is a regular file (one that is not, e.g. a symbolic link, is never read); none when
// the folder cannot be read.
export function unmergedSegmentFiles(dir: string): Array<{ name: string; regular: boolean }> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((d) => d.name.startsWith('load-') && d.name.endsWith(SEGMENT_SUFFIX))
    .map((d) => ({ name: d.name, regular: d.isFile() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// The file-name stem a driver's segment gets (load/segment.ts createSegmentFile).
export function segmentStem(driver: string): string {
  return driver.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'load';
}

// An event's identity for spotting one the history already holds (a harness killed after writing
// a merged segment's events and before renaming the file): type, driver, time and, where the event
// has one, operation id, connection, client and message sequence.
function identity(e: HistoryEvent): string {
  const r = e as unknown as Record<string, unknown>;
  return JSON.stringify([r['type'], r['driver'], r['t'], r['id'], r['conn'], r['client'], r['seq']]);
}

// Reads a run's history (events.jsonl, as readHistory) and merges into it, by time, every load
// segment left unmerged beside it (each event keeps its `t` and its driver); each such segment adds
// a load:error naming it (the record is incomplete: the run is an error, LOAD_RECORD_INCOMPLETE,
// never a pass). Only reads: nothing in the folder is written, renamed or deleted. Throws as
// readHistory does when events.jsonl cannot be read.
export function readRunHistory(historyFile: string): { events: HistoryEvent[]; unmerged: UnmergedSegment[] } {
  const history = readHistory(historyFile);
  const dir = path.dirname(historyFile);
  const files = unmergedSegmentFiles(dir);
  if (!files.length) return { events: history, unmerged: [] };
  const held = new Set(history.map(identity));
  const added: HistoryEvent[] = [];
  const unmerged: UnmergedSegment[] = [];
  for (const { name: file, regular } of files) {
    const { events, torn } = regular ? readEventLines(path.join(dir, file)) : { events: [], torn: 0 };
    const fresh = events.filter((e) => !held.has(identity(e)));
    const named = events.find((e) => typeof (e as { driver?: unknown }).driver === 'string') as { driver: string } | undefined;
    const stem = file.slice('load-'.length, -SEGMENT_SUFFIX.length).replace(/~\d+$/, '');
    const started = history.find((e) => e.type === 'load:started' && segmentStem(e.driver) === stem);
    const driver = named?.driver ?? (started?.type === 'load:started' ? started.driver : stem);
    const message = incompleteSegmentMessage({
      driver, segment: file,
      kept: regular ? `${events.length} events${torn ? `, ${torn} torn line(s) skipped` : ''}, merged when the history was read` : 'not read: not a regular file',
      why: 'it was never merged into the history: the harness ended (killed?) while the load ran',
    });
    added.push(...fresh);
    const last = events.reduce((m, e) => (typeof e.t === 'number' && e.t > m ? e.t : m), history.at(-1)?.t ?? 0);
    added.push({ type: 'load:error', t: last, driver, message });
    unmerged.push({ file, driver, merged: fresh.length, torn, message });
  }
  return { events: sortByTime([...history, ...added]), unmerged };
}
