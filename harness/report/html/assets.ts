import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError } from '../../errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Run from sources (tsx, ts-node) the assets sit next to this file; run from the build
// (dist/harness/report/html/) they are in the package's harness/report/html/.
const assetDirs = [here, path.resolve(here, '../../../../harness/report/html')];
const cache = new Map<string, string>();

// The text of one of the report's own assets (client scripts, styles); cached per process.
export function reportAsset(name: 'client.js' | 'compare-client.js' | 'shared.js' | 'styles.css' | 'sweep-client.js'): string {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  for (const dir of assetDirs) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) {
      const text = fs.readFileSync(file, 'utf8');
      cache.set(name, text);
      return text;
    }
  }
  throw new HarnessError('INTERNAL', `report asset ${name} not found in ${assetDirs.join(' or ')}; the package is incomplete: reinstall shutdown-drill`);
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
