// Type-checks the report's browser scripts (harness/report/html/client/, a DOM-only tsconfig) and
// bundles each page script with esbuild into dist/harness/report/html/<name>.js (iife, browser,
// minified), where reportAsset() reads them. `npm run build` runs it after tsc:
//   node dist/harness/report/html/build-client.js [--src DIR] [--out DIR]
// Exits 1 naming the file when a script does not type-check, a bundle pulls in a module from
// outside the client folder (the Node side gives types only, by `import type`), or a page script
// bundles shared.ts (it reads window.__shutdownDrill from shared.js instead).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CLIENT_BUNDLES } from './assets.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : path.resolve(process.argv[i + 1] ?? fallback);
}

// The client's type errors as tsc prints them (file(line,col): error TSnnnn: ...), or null when it type-checks.
function typeErrors(srcDir: string): string | null {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(srcDir, 'tsconfig.json'), '--pretty', 'false'], { encoding: 'utf8' });
  if (r.status === 0) return null;
  return (r.stdout + r.stderr).trim() || `tsc exited with ${r.status ?? r.signal}`;
}

// Why the bundle's inputs break the rules above, or null.
function badInputs(name: string, inputs: string[]): string | null {
  const outside = inputs.filter((f) => f.startsWith('..') || path.isAbsolute(f) || f.includes('node_modules'));
  if (outside.length) return `${name}.js bundles ${outside.join(', ')}: a client script may import only the client folder's own modules (types from elsewhere with \`import type\`)`;
  if (name !== 'shared' && inputs.includes('shared.ts')) return `${name}.js bundles shared.ts: import only its type (\`import type { Shared }\`) and read window.__shutdownDrill`;
  return null;
}

async function main(): Promise<number> {
  const srcDir = option('--src', path.join(root, 'harness/report/html/client'));
  const outDir = option('--out', path.join(root, 'dist/harness/report/html'));
  const errors = typeErrors(srcDir);
  if (errors) {
    process.stderr.write(`the report's browser scripts do not type-check (tsc -p ${path.relative(process.cwd(), path.join(srcDir, 'tsconfig.json'))}):\n${errors}\n`);
    return 1;
  }
  const result = await build({
    absWorkingDir: srcDir,
    entryPoints: Object.fromEntries(CLIENT_BUNDLES.map((name) => [name, `./${name}.ts`])),
    outdir: outDir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    charset: 'utf8',
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const problem = badInputs(path.basename(file, '.js'), Object.keys(output.inputs));
    if (problem) {
      process.stderr.write(`${problem}\n`);
      return 1;
    }
  }
  // Written only once every bundle passed, so a rejected build leaves no new bundle behind.
  fs.mkdirSync(outDir, { recursive: true });
  for (const file of result.outputFiles) fs.writeFileSync(file.path, file.contents);
  return 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    // esbuild has printed its own errors (an unresolvable import, a Node built-in on the browser platform).
    process.stderr.write(`bundling the report's browser scripts failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    process.exitCode = 1;
  },
);
