import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError } from '../../errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Run from the build (dist/harness/report/html/assets.js) the bundles sit next to this file; run
// from sources (tsx) they are in the same checkout's dist/, where `npm run build` writes them.
const fromBuild = path.basename(path.resolve(here, '../../..')) === 'dist';
const bundleDir = fromBuild ? here : path.resolve(here, '../../../dist/harness/report/html');
// The stylesheet sits next to this file in sources; from the build, in the package's harness/report/html/.
const styleDirs = [here, path.resolve(here, '../../../../harness/report/html')];
const cache = new Map<string, string>();

// The report's browser scripts: each is built from harness/report/html/client/<name>.ts into
// <name>.js by build-client.ts (`npm run build`). shared.js is inlined first on every page.
export const CLIENT_BUNDLES = ['shared', 'client', 'sweep-client', 'compare-client'] as const;
export type ClientBundle = `${(typeof CLIENT_BUNDLES)[number]}.js`;

// The text of one of the report's own assets (a bundled client script, the styles); cached per
// process. A missing bundle (tsc ran without the rest of `npm run build`) throws, naming the fix.
export function reportAsset(name: ClientBundle | 'styles.css'): string {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const text = name === 'styles.css' ? readStyles() : readClientBundle(name);
  cache.set(name, text);
  return text;
}

// A bundled client script from `dir` (by default where `npm run build` writes them); never cached.
export function readClientBundle(name: ClientBundle, dir: string = bundleDir): string {
  const file = path.join(dir, name);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new HarnessError('INTERNAL', `the report's browser script ${name} is not built (${file} is missing): run \`npm run build\` (tsc alone does not bundle harness/report/html/client/)`, { cause: error });
  }
}

function readStyles(): string {
  for (const dir of styleDirs) {
    const file = path.join(dir, 'styles.css');
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  }
  throw new HarnessError('INTERNAL', `report asset styles.css not found in ${styleDirs.join(' or ')}; the package is incomplete: reinstall shutdown-drill`);
}

// uPlot's minified browser build and its stylesheet, from node_modules (inlined into reports).
export function uplotAssets(): { js: string; css: string } {
  const cached = cache.get('uplot.js');
  if (cached !== undefined) return { js: cached, css: cache.get('uplot.css')! };
  const require = createRequire(import.meta.url);
  let js: string;
  let css: string;
  try {
    js = fs.readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    css = fs.readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  } catch (error) {
    throw new HarnessError('INTERNAL', `the uplot package (report charts) cannot be read: ${(error as Error).message}; run npm install`, { cause: error });
  }
  cache.set('uplot.js', js);
  cache.set('uplot.css', css);
  return { js, css };
}
