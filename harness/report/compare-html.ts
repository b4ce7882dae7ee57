import path from 'node:path';
import { writeFileAtomic } from './atomic.js';
import type { Comparison } from './compare.js';
import { reportAsset, uplotAssets } from './html/assets.js';
import { renderPage } from './html/page.js';

// Writes `<outDir>/compare.html` atomically and returns its path: one self-contained page (uPlot
// inlined, no network) with, per scenario, the base and current distributions of time to exit and
// drain side by side (summaries and empirical CDF charts), the pass-rate change and the verdict.
export async function writeCompareHtml(outDir: string, comparison: Comparison, options: { title?: string } = {}): Promise<string> {
  const file = path.join(outDir, 'compare.html');
  const uplot = uplotAssets();
  const html = renderPage({
    title: options.title ?? `shutdown-drill compare: ${comparison.verdict}`,
    styles: [uplot.css, reportAsset('styles.css')],
    data: [{ id: 'sd-compare', value: { title: options.title ?? 'shutdown-drill compare', comparison } }],
    scripts: [uplot.js, reportAsset('shared.js'), reportAsset('compare-client.js')],
    body: '<div id="app"><noscript>This page needs JavaScript; run `shutdown-drill compare` for the same table as text.</noscript></div>',
  });
  await writeFileAtomic(file, html);
  return file;
}
