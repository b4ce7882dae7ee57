import fs from 'node:fs';
import path from 'node:path';

// True when `command` names an executable file: a path (relative to `cwd`) or a name found on
// `searchPath` (a PATH value).
export function findExecutable(command: string, cwd: string, searchPath: string): boolean {
  const candidates = command.includes('/') ? [path.resolve(cwd, command)] : searchPath.split(path.delimiter).filter(Boolean).map((d) => path.resolve(cwd, d, command));
  return candidates.some((c) => {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return fs.statSync(c).isFile();
    } catch {
      return false;
    }
  });
}
