// A registry test's copy of harness/: the tree copied to a temp dir (removed at the end), an
// extension added to it (its file, its line in the list), and a script run against the copy under
// tap's own TypeScript loader (which load workers inherit; tsx's does not on Node 20), killed
// after 60 s at most. Used by test/check/registry.test.ts and test/load/registry.test.ts.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { tempDir } from './cli.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Copies harness/ (with node_modules linked, an ES-module package.json and the tsconfig) and
// returns the copy's folder.
export function copyHarness(t: Test, prefix: string): string {
  const copy = tempDir(prefix);
  t.teardown(() => fs.rmSync(copy, { recursive: true, force: true }));
  fs.cpSync(path.join(ROOT, 'harness'), path.join(copy, 'harness'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  fs.writeFileSync(path.join(copy, 'package.json'), JSON.stringify({ type: 'module' }));
  fs.copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(copy, 'tsconfig.json'));
  return copy;
}

// Adds `entry` to the list in `listFile` (after its last entry `last`, asserted to be the last),
// with `importLine` on top: the one line an extension adds to its registry.
export function addToList(t: Test, listFile: string, last: string, entry: string, importLine: string, ending: RegExp): void {
  const list = fs.readFileSync(listFile, 'utf8');
  t.match(list, ending, `the list ends with ${last}`);
  fs.writeFileSync(listFile, `${importLine}\n${list.replace(`\n  ${last},\n`, `\n  ${last},\n  ${entry},\n`)}`);
}

// Runs `script` (a file in the copy) with the copy as its cwd; resolves with its exit code and output.
export async function runInCopy(t: Test, copy: string, script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'));
  t.equal(loader.length, 1, 'running under tap\'s TypeScript loader');
  const child = spawn(process.execPath, [...loader, path.join(copy, script)], { cwd: copy, stdio: ['ignore', 'pipe', 'pipe'] });
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  t.teardown(() => {
    clearTimeout(killTimer);
    child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killTimer);
  return { code, stdout, stderr };
}
