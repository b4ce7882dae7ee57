import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The repository root: the nearest folder above this file that holds package.json, so the same
// code finds bench/ from the TypeScript sources and from dist/bench/.
export const repoRoot: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'bench'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`bench: cannot find the repository root above ${fileURLToPath(import.meta.url)}; run the bench from a checkout of shutdown-drill`);
    dir = up;
  }
})();

// A file under bench/fixtures/ (plain scripts run by node or sh, not compiled).
export function fixture(name: string): string {
  return path.join(repoRoot, 'bench', 'fixtures', name);
}

// A source file under bench/floor/ (C programs and the bash floor).
export function floorSource(name: string): string {
  return path.join(repoRoot, 'bench', 'floor', name);
}

// The default folder for compiled floor programs (git-ignored).
export const defaultBinDir: string = path.join(repoRoot, 'bench', 'bin');
