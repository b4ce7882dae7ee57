import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputTypesSource, readmeWithReference } from './reference.js';

// `npm run docs`: writes the files generated from schema.ts (the README's scenario reference and
// harness/scenario/input-types.ts). `--check` writes nothing and exits 1 naming the stale ones.

// The package root, from harness/scenario (tsx) or dist/harness/scenario (built).
export function packageRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, here.split(path.sep).includes('dist') ? '../../..' : '../..');
}

// Each generated file with the text it must have now.
export function generatedFiles(root: string = packageRoot()): Array<{ file: string; text: string }> {
  const readme = path.join(root, 'README.md');
  return [
    { file: readme, text: readmeWithReference(fs.readFileSync(readme, 'utf8')) },
    { file: path.join(root, 'harness/scenario/input-types.ts'), text: inputTypesSource() },
  ];
}

// The generated files whose content differs from what they must have.
export function staleFiles(root: string = packageRoot()): string[] {
  return generatedFiles(root).filter(({ file, text }) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text).map(({ file }) => path.relative(root, file));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  if (process.argv.includes('--check')) {
    const stale = staleFiles();
    if (stale.length) process.stderr.write(`stale, run \`npm run docs\`: ${stale.join(', ')}\n`);
    process.exitCode = stale.length ? 1 : 0;
  } else {
    for (const { file, text } of generatedFiles()) fs.writeFileSync(file, text);
  }
}
