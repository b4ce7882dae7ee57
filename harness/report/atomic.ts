import { randomBytes } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { HarnessError } from '../errors.js';
import { redactionActive, redactValue } from '../redact.js';
import { describeWriteError } from '../write-error.js';

// Errors of the file system that the harness reports as OUTPUT_WRITE_FAILED (not a bug).
const DISK_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EIO', 'EMFILE', 'ENFILE', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENOENT']);

function writeFailed(file: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (!code || !DISK_ERRORS.has(code)) return error;
  return new HarnessError('OUTPUT_WRITE_FAILED', `could not write ${file}: ${describeWriteError(error)}; free some space, or choose a writable place for it (--out DIR for the out dir's files, NAME=FILE of --reporter for a reporter's own file)`, { cause: error });
}

// `mkdir -p` without `{ recursive: true }`, whose Node 20 implementation never returns for a path
// under /proc (`--reporter junit=/proc/x/j.xml` hung the harness, deaf to SIGTERM): each missing
// folder is made after its parent; an error other than a missing parent is thrown as it is.
async function makeDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || path.dirname(dir) === dir) throw error;
    await makeDir(path.dirname(dir));
    await fs.mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}

// The same, synchronously.
function makeDirSync(dir: string): void {
  try {
    fsSync.mkdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || path.dirname(dir) === dir) throw error;
    makeDirSync(path.dirname(dir));
    try {
      fsSync.mkdirSync(dir);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again;
    }
  }
}

// `data` as written: a JSON document (`*.json`) with its string values redacted (its keys and
// structure untouched, indentation kept). Other formats are written as given: their writers
// redact the values before serializing (see redact.ts); text is never redacted here.
function prepare(file: string, data: string | Uint8Array): string | Uint8Array {
  if (typeof data !== 'string' || !file.endsWith('.json') || !redactionActive()) return data;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return data;
  }
  const indent = /^[{[]\r?\n([ \t]+)/.exec(data)?.[1] ?? '';
  return JSON.stringify(redactValue(value), null, indent) + (data.endsWith('\n') ? '\n' : '');
}

// Writes `data` to `file` so that readers see either the old file or the whole new one, never a
// torn write: the bytes go to a temp file in the same directory (same filesystem), are flushed, and
// the temp file is renamed over `file`. Creates the directory; removes the temp file on failure.
// A JSON document is redacted on its values. A full disk or a denied write rejects with an
// OUTPUT_WRITE_FAILED HarnessError naming the file and the cause.
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    await makeDir(dir);
    handle = await fs.open(temp, 'wx', 0o644);
    await handle.writeFile(prepare(file, data));
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temp, file);
  } catch (error) {
    if (handle) await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw writeFailed(file, error);
  }
}

// The same, synchronously (results.json after every run, spec.json): temp file, then rename. When
// the disk is too full for a second copy, the file is rewritten in place instead (whatever was
// known is still written); if that fails too, throws OUTPUT_WRITE_FAILED.
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(path.resolve(file));
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const bytes = prepare(file, data);
  try {
    makeDirSync(dir);
    fsSync.writeFileSync(temp, bytes, { flag: 'wx', mode: 0o644 });
    fsSync.renameSync(temp, file);
  } catch (error) {
    try {
      fsSync.rmSync(temp, { force: true });
    } catch {
      // nothing to remove, or cannot: the error below says why
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      try {
        fsSync.writeFileSync(file, bytes, { mode: 0o644 });
        return;
      } catch {
        // no room even for one copy
      }
    }
    throw writeFailed(file, error);
  }
}
