import { eventsOf } from '../history/events.js';
import { fail, noEvidence, pass, type CheckDefinition } from './types.js';

// files-absent: after the exit, no file matches the globs (partial files were cleaned up).
export const filesAbsent: CheckDefinition = {
  name: 'files-absent',
  applies: (spec) => (spec.expect.filesAbsent?.length ?? 0) > 0,
  judge({ spec, events }) {
    const expected = { absent: spec.expect.filesAbsent };
    const snap = eventsOf(events, 'files:snapshot').find((s) => s.purpose === 'absent');
    if (!snap) return noEvidence('files-absent', expected, 'the files were not inspected after the exit (the run ended early)');
    if (snap.files.length === 0) return pass('files-absent', expected, { found: [] }, `no file matches ${spec.expect.filesAbsent!.join(', ')}`);
    return fail('files-absent', expected, { found: snap.files.map((f) => f.path) },
      `${snap.files.length} file${snap.files.length === 1 ? '' : 's'} left behind: ${snap.files.map((f) => `${f.path} (${f.size} B)`).join(', ').slice(0, 300)}`, snap.files);
  },
};

// files-intact: every listed file exists after the exit, with the declared size or hash.
export const filesIntact: CheckDefinition = {
  name: 'files-intact',
  applies: (spec) => (spec.expect.filesIntact?.length ?? 0) > 0,
  judge({ spec, events }) {
    const wanted = spec.expect.filesIntact!.map((f) => (typeof f === 'string' ? { path: f } : f));
    const expected = { files: wanted };
    const snap = eventsOf(events, 'files:snapshot').find((s) => s.purpose === 'intact');
    if (!snap) return noEvidence('files-intact', expected, 'the files were not inspected after the exit (the run ended early)');
    const problems: string[] = [];
    for (const w of wanted) {
      const f = snap.files.find((x) => x.path === w.path);
      if (!f) problems.push(`${w.path}: missing`);
      else if (w.size !== undefined && f.size !== w.size) problems.push(`${w.path}: ${f.size} B, expected ${w.size} B`);
      else if (w.minSize !== undefined && f.size < w.minSize) problems.push(`${w.path}: ${f.size} B, expected at least ${w.minSize} B`);
      else if (w.sha256 !== undefined && f.sha256 !== w.sha256) problems.push(`${w.path}: sha256 ${f.sha256?.slice(0, 12)}…, expected ${w.sha256.slice(0, 12)}…`);
    }
    const actual = { files: snap.files };
    return problems.length === 0
      ? pass('files-intact', expected, actual, `${wanted.length} file${wanted.length === 1 ? '' : 's'} intact`)
      : fail('files-intact', expected, actual, problems.join('; '), problems);
  },
};
