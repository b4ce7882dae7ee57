import fs from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../errors.js';

// The absolute path of `relative` inside `dir`; throws RESULTS_INVALID (never reads it) when it
// is absolute or leads outside `dir`, also through a symbolic link (a saved results file is input:
// its `history` must not make `report DIR` read other files).
export function insideDir(dir: string, relative: string): string {
  const root = path.resolve(dir);
  const outside = (r: string): boolean => r === '' || r === '..' || r.startsWith(`..${path.sep}`) || path.isAbsolute(r);
  const refuse = (why: string): never => {
    throw new HarnessError('RESULTS_INVALID', `history ${JSON.stringify(relative)} ${why}: refused, not read (a run's history must be a relative path inside ${root})`);
  };
  if (typeof relative !== 'string' || relative.includes('\0')) refuse('is not a valid path');
  if (path.isAbsolute(relative) || /^[A-Za-z]:[\\/]/.test(relative)) refuse('is an absolute path');
  const file = path.resolve(root, relative);
  const rel = path.relative(root, file);
  if (outside(rel)) refuse('leads outside the out dir');
  // Symbolic links: the real path must be inside the real root too (when the file exists).
  let real: string | undefined;
  try {
    real = fs.realpathSync(file);
  } catch {
    // missing: nothing would be read from outside
  }
  if (real !== undefined) {
    const realRoot = fs.realpathSync(root);
    const realRel = path.relative(realRoot, real);
    if (outside(realRel)) refuse('leads outside the out dir through a symbolic link');
  }
  return file;
}
