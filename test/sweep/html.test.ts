// The sweep chart in the HTML report (harness/report/html/sweep-client.js), in Chromium: the
// windows are listed and shaded on a chart, and each point links to its run.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { writeHtmlReport } from '../../harness/report/html.js';
import type { ResultsFile, RunResult } from '../../harness/report/types.js';
import type { SweepPoint } from '../../harness/sweep/types.js';
import { useChromium } from '../helpers/browser.js';

const browser = useChromium(t);

const offsets = [0, 100, 200, 300, 350, 400, 500];
const failsAt = (o: number): boolean => o >= 300 && o <= 400;
const runs: RunResult[] = offsets.map((o, i) => ({
  id: `demo[strike=+${o}ms]`, scenario: 'demo', params: { strike: `+${o}ms` }, seed: 100 + i, repeat: 1, verdict: failsAt(o) ? 'fail' : 'pass',
  checks: [{ name: 'exit-status', passed: !failsAt(o), status: failsAt(o) ? 'fail' : 'pass', expected: { codes: [0] }, actual: { code: failsAt(o) ? 1 : 0 }, message: failsAt(o) ? 'exited with code 1' : 'exited with code 0' }],
  metrics: { timeToExitMs: 5 + i, strikeLatenessMs: 0.5 }, exit: { code: failsAt(o) ? 1 : 0, signal: null }, history: null,
} as unknown as RunResult));
const points: SweepPoint[] = offsets.map((o, i) => ({
  offsetMs: o, failures: failsAt(o) ? 1 : 0, failureRate: failsAt(o) ? 1 : 0,
  runs: [{ run: runs[i]!.id, verdict: runs[i]!.verdict, failedChecks: failsAt(o) ? ['exit-status'] : [], latenessMs: 0.5, late: false, timeToExitMs: 5 + i, failedOps: null }],
}));
const results: ResultsFile = {
  schemaVersion: 1, tool: { name: 'shutdown-drill', version: '0' }, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:01:00.000Z',
  status: 'failed', machine: { cpus: 2, node: process.version, os: 'linux' }, runs,
  sweeps: [{
    scenario: 'demo', anchor: 'ready', fromMs: 0, toMs: 500, resolutionMs: 50, runs: runs.length, verdict: 'fail', repeats: 3, maxRuns: 60,
    budgetExhausted: false, maxLatenessMs: 0.5, lateRuns: 0, gridStepMs: 100, points,
    windows: [{ fromMs: 300, toMs: 400, failureRate: 1, failedChecks: ['exit-status'], runs: 3, passBeforeMs: 200, passAfterMs: 500 }],
  }],
};

t.test('the report charts each sweep, shades its windows, and links every point to its run', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sweep-html-'));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  const file = await writeHtmlReport({ outDir: dir, results, loadHistory: () => null });
  const context = await browser().newContext({ viewport: { width: 1200, height: 900 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('html[data-ready="1"]');
  t.equal(await page.locator('[data-testid="sweep"]').count(), 1);
  t.same(await page.locator('[data-testid="sweep-window"]').allInnerTexts(), ['vulnerable +300..+400 ms: exit-status']);
  t.equal(await page.locator('#sd-sweeps-view .uplot').count(), 1, 'one chart');
  // The window is shaded: at the height of the plot's middle, the canvas is painted inside the
  // window (offset 350 of 0..500, about 70 % across) and blank outside it (about 20 %).
  const shade = await page.evaluate(() => {
    const canvas = document.querySelector('#sd-sweeps-view canvas') as HTMLCanvasElement;
    const ctx = canvas.getContext('2d')!;
    const rect = canvas.getBoundingClientRect();
    const at = (fx: number): number[] => Array.from(ctx.getImageData(Math.round(canvas.width * fx), Math.round(canvas.height / 2), 1, 1).data);
    return { inside: at(0.1 + 0.8 * 0.7), outside: at(0.1 + 0.8 * 0.2), width: rect.width };
  });
  t.not(JSON.stringify(shade.inside), JSON.stringify(shade.outside), `shaded inside the window: ${JSON.stringify(shade)}`);
  // Every point's run is a link to that run's detail.
  await page.locator('#sd-sweeps-view details summary').click();
  const links = page.locator('[data-testid="sweep-run"]');
  t.equal(await links.count(), offsets.length);
  t.same(await links.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href'))), offsets.map((_, i) => `#run/${i}`));
  await links.nth(4).click();
  await page.waitForFunction(() => location.hash === '#run/4');
  t.equal(await page.locator('#sd-sweeps-view').isVisible(), false, 'the sweeps are shown on the overview only');
  t.match(await page.locator('main').innerText(), /demo\[strike=\+350ms\]/);
  t.same(errors, []);
});
