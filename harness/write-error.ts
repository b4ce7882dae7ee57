// How a failed write reads to a person: shared by the history writer and the report writers.

const WHY: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENOTDIR: 'a path component is not a folder',
  EISDIR: 'the path is a folder',
};

// A one-line account of a failed write: `no space left on device (ENOSPC)`.
export function describeWriteError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && WHY[code]) return `${WHY[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}
