import { randomBytes } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { redactData } from './redact.js';

// Writes `data` to `file` so that readers see either the old file or the whole new one, never a
// torn write: the bytes go to a temp file in the same directory (same filesystem), are flushed, and
// the temp file is renamed over `file`. Creates the directory; removes the temp file on failure.
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  await fs.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'wx', 0o644);
    await handle.writeFile(redactData(data));
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temp, file);
  } catch (error) {
    if (handle) await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

// The same, synchronously (results.json after every run, spec.json): temp file, then rename.
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(path.resolve(file));
  fsSync.mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    fsSync.writeFileSync(temp, redactData(data), { flag: 'wx', mode: 0o644 });
    fsSync.renameSync(temp, file);
  } catch (error) {
    fsSync.rmSync(temp, { force: true });
    throw error;
  }
}
