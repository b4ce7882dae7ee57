import { eventsOf, type FilesSnapshotEvent } from '../history/events.js';
import { checkKit } from '../scenario/fields.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z } = checkKit;

type Entry = FilesSnapshotEvent['files'][number];

// `app.sock (socket, 0 B)`, `out.part (12 B)`: regular files without a kind word.
const entryText = (f: Entry): string => `${f.path} (${f.kind && f.kind !== 'file' ? `${f.kind}, ` : ''}${f.size} B)`;

// Said after a snapshot taken once the harness had killed processes of the run (run timeout,
// still-running, interrupt): the files then show a state the harness helped make.
const afterKill = (snap: FilesSnapshotEvent): string => (snap.afterHarnessKill ? ' (note: the harness had killed processes of the run before these files were looked at)' : '');

const filesAbsentFields = {
  filesDir: z.string().optional().describe('Directory the file globs and `inspect` run in are relative to; unset: the target\'s cwd'),
  filesAbsent: z.array(z.string().min(1)).optional().describe('files-absent: after the exit no entry matches these globs (e.g. `*.part`, `app.sock`)'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'files-absent': typeof filesAbsentFields }
}

// files-absent: after the exit, no entry matches the globs (partial files, stale sockets, FIFOs,
// symlinks, directories a glob names: all were cleaned up). A filesDir that did not exist is no
// evidence (`error`), never a pass.
export const filesAbsent = defineCheck({
  name: 'files-absent',
  expect: filesAbsentFields,
  applies: (spec) => (spec.expect.filesAbsent?.length ?? 0) > 0,
  judge({ spec, events }) {
    const expected = { absent: spec.expect.filesAbsent };
    const snap = eventsOf(events, 'files:snapshot').find((s) => s.purpose === 'absent');
    if (!snap) return noEvidence('files-absent', expected, 'the files were not inspected after the exit (the run ended early)');
    if (snap.dirMissing !== undefined) {
      return noEvidence('files-absent', expected, `the directory ${snap.dirMissing} (expect.filesDir) does not exist, so absence proves nothing; fix expect.filesDir or the target's cwd`);
    }
    if (snap.files.length === 0) return pass('files-absent', expected, { found: [] }, `no entry matches ${spec.expect.filesAbsent!.join(', ')}${afterKill(snap)}`);
    return fail('files-absent', expected, { found: snap.files.map((f) => f.path) },
      `${snap.files.length} entr${snap.files.length === 1 ? 'y' : 'ies'} left behind: ${snap.files.map(entryText).join(', ').slice(0, 300)}${afterKill(snap)}`, snap.files);
  },
});

const filesIntactFields = {
  filesIntact: z.array(z.union([z.string().min(1), z.strictObject({
    path: z.string().min(1).describe('Path of the file'), size: z.number().int().nonnegative().optional().describe('Exact size in bytes'),
    minSize: z.number().int().nonnegative().optional().describe('Minimum size in bytes'), sha256: z.string().regex(/^[0-9a-f]{64}$/).optional().describe('SHA-256 of the content, lowercase hex'),
  })])).optional().describe('files-intact: after the exit these files exist (a path, or `{ path, size, minSize, sha256 }`)'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'files-intact': typeof filesIntactFields }
}

// files-intact: every listed entry exists after the exit; one with a declared size or hash must be
// a regular file (or a symlink to one) of that size or hash. A filesDir that did not exist is no evidence (`error`).
export const filesIntact = defineCheck({
  name: 'files-intact',
  expect: filesIntactFields,
  applies: (spec) => (spec.expect.filesIntact?.length ?? 0) > 0,
  judge({ spec, events }) {
    const wanted = spec.expect.filesIntact!.map((f) => (typeof f === 'string' ? { path: f } : f));
    const expected = { files: wanted };
    const snap = eventsOf(events, 'files:snapshot').find((s) => s.purpose === 'intact');
    if (!snap) return noEvidence('files-intact', expected, 'the files were not inspected after the exit (the run ended early)');
    if (snap.dirMissing !== undefined) {
      return noEvidence('files-intact', expected, `the directory ${snap.dirMissing} (expect.filesDir) does not exist, so no file could be checked; fix expect.filesDir or the target's cwd`);
    }
    const problems: string[] = [];
    for (const w of wanted) {
      const f = snap.files.find((x) => x.path === w.path);
      if (!f) problems.push(`${w.path}: missing`);
      else if (f.kind !== undefined && f.kind !== 'file' && f.sha256 === undefined && (w.size ?? w.minSize ?? w.sha256) !== undefined) problems.push(`${w.path}: a ${f.kind}, not a regular file with a size or content`);
      else if (w.size !== undefined && f.size !== w.size) problems.push(`${w.path}: ${f.size} B, expected ${w.size} B`);
      else if (w.minSize !== undefined && f.size < w.minSize) problems.push(`${w.path}: ${f.size} B, expected at least ${w.minSize} B`);
      else if (w.sha256 !== undefined && f.sha256 !== w.sha256) problems.push(`${w.path}: sha256 ${f.sha256?.slice(0, 12)}…, expected ${w.sha256.slice(0, 12)}…`);
    }
    const actual = { files: snap.files };
    return problems.length === 0
      ? pass('files-intact', expected, actual, `${wanted.length} file${wanted.length === 1 ? '' : 's'} intact${afterKill(snap)}`)
      : fail('files-intact', expected, actual, `${problems.join('; ')}${afterKill(snap)}`, problems);
  },
});
