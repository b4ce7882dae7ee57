// Type-checks the report's browser scripts (harness/report/html/client/, a DOM-only tsconfig) and
// bundles each page script with esbuild into dist/harness/report/html/<name>.js (iife, browser,
// minified), where reportAsset() reads them. `npm run build` runs it after tsc:
//   node dist/harness/report/html/build-client.js [--src DIR] [--out DIR]
// Exits 1, listing every problem at once and writing no bundle, when a script does not type-check,
// a bundle does not build (a Node built-in on the browser platform), pulls in a module from outside
// the client folder (the Node side gives types only, by `import type`), or a page script bundles
// shared.ts (it reads window.__shutdownDrill from shared.js instead).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildFailure, type Message, type OutputFile } from 'esbuild';
import { CLIENT_BUNDLES } from './assets.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : path.resolve(process.argv[i + 1] ?? fallback);
}

// The client's type errors as tsc prints them (file(line,col): error TSnnnn: ...), or null when it type-checks.
function typeErrors(srcDir: string): Promise<string | null> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  return new Promise((resolve) => {
    execFile(process.execPath, [tsc, '-p', path.join(srcDir, 'tsconfig.json'), '--pretty', 'false'], { encoding: 'utf8', maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve(error ? (stdout + stderr).trim() || error.message : null);
    });
  });
}

// Why the bundle's inputs break the rules above, or null.
function badInputs(name: string, inputs: string[]): string | null {
  const outside = inputs.filter((f) => f.startsWith('..') || path.isAbsolute(f) || f.includes('node_modules'));
  if (outside.length) return `${name}.js bundles ${outside.join(', ')}: a client script may import only the client folder's own modules (types from elsewhere with \`import type\`)`;
  if (name !== 'shared' && inputs.includes('shared.ts')) return `${name}.js bundles shared.ts: import only its type (\`import type { Shared }\`) and read window.__shutdownDrill`;
  return null;
}

// esbuild's messages as one line each: the bundle, where, what (and why, for a Node built-in).
function describe(name: string, messages: Message[]): string[] {
  return messages.map((m) => {
    const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : '';
    const builtin = m.notes.some((n) => /built into node/.test(n.text));
    const note = builtin ? ' (a Node built-in: the report\'s scripts run in the browser; take Node-side types with `import type`)' : '';
    return `${name}.js: ${where}${m.text}${note}`;
  });
}

async function main(): Promise<number> {
  const srcDir = option('--src', path.join(root, 'harness/report/html/client'));
  const outDir = option('--out', path.join(root, 'dist/harness/report/html'));
  // tsc runs beside the bundling; both are reported, and nothing is written unless both pass.
  const checked = typeErrors(srcDir);
  // One build per page script, so every problem of every bundle is listed at once.
  const problems: string[] = [];
  const outputs: OutputFile[] = [];
  for (const name of CLIENT_BUNDLES) {
    try {
      const result = await build({
        absWorkingDir: srcDir,
        entryPoints: { [name]: `./${name}.ts` },
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
        logLevel: 'silent',
      });
      for (const line of describe(name, result.warnings)) process.stderr.write(`warning: ${line}\n`);
      const problem = badInputs(name, Object.keys(result.metafile.inputs));
      if (problem) problems.push(problem);
      else outputs.push(...result.outputFiles);
    } catch (error) {
      const messages = (error as Partial<BuildFailure>).errors;
      if (!messages) throw error;
      problems.push(...describe(name, messages));
    }
  }
  const errors = await checked;
  if (errors) process.stderr.write(`the report's browser scripts do not type-check (tsc -p ${path.join(srcDir, 'tsconfig.json')}):\n${errors}\n`);
  if (problems.length) process.stderr.write(`the report's browser scripts do not bundle (${srcDir}):\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  if (errors || problems.length) return 1;
  // Written only once every bundle passed, so a rejected build leaves no new bundle behind.
  fs.mkdirSync(outDir, { recursive: true });
  for (const file of outputs) fs.writeFileSync(file.path, file.contents);
  return 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    process.stderr.write(`bundling the report's browser scripts failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    process.exitCode = 1;
  },
);
