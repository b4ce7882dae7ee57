import fs from 'node:fs';
import path from 'node:path';

// True when `command` is an executable path or found on PATH.
export function commandExists(command: string): boolean {
  const candidates = command.includes('/') ? [command] : (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, command));
  return candidates.some((c) => {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return fs.statSync(c).isFile();
    } catch {
      return false;
    }
  });
}
