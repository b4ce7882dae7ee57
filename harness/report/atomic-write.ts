import fs from 'node:fs';
import path from 'node:path';
import { redactData } from './redact.js';

// Writes a file atomically: a temp file in the same folder, then a rename, so a reader (or a
// harness killed mid-write) never sees half a file. Secrets are redacted (see redact.ts).
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    fs.writeFileSync(tmp, redactData(data));
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}
