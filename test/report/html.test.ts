import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import t from 'tap';
import { resultsFileOf, syntheticRun, writeSuite } from '../../bench/report1000.js';
import { compareResults } from '../../harness/report/compare.js';
import { writeCompareHtml } from '../../harness/report/compare-html.js';
import { writeHtmlReport } from '../../harness/report/html.js';
import type { ResultsFile } from '../../harness/report/types.js';
import {
  ANSI_LINE, CLOSE_LINE, ERROR_ID, HANG_ID, PASSING_ID, REPEAT_BASE, XSS_LINE,
  historyLoader, tempDir, writeFixture,
} from '../fixtures/report/suite.js';
import { useChromium } from '../helpers/browser.js';

const browser = useChromium(t);

interface Watched {
  page: Page;
  dialogs: string[];
  errors: string[];
  requests: string[];
}

async function openReport(file: string, t: Tap.Test): Promise<Watched> {
  const context = await browser().newContext({ viewport: { width: 1400, height: 1000 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const watched: Watched = { page, dialogs: [], errors: [], requests: [] };
  page.on('dialog', (d) => {
    watched.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => watched.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') watched.errors.push(m.text());
  });
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) watched.requests.push(r.url());
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('html[data-ready="1"]');
  return watched;
}

t.test('the report shows verdict counts, filters, a failing run timeline, and renders hostile output as text', async (t) => {
  const dir = await tempDir(t);
  const results = { ...(await writeFixture(dir)), containment: 'cgroup-v2' as const };
  const file = await writeHtmlReport({ outDir: dir, results, loadHistory: historyLoader(dir) });
  t.equal(file, path.join(dir, 'index.html'));
  const html = await fs.readFile(file, 'utf8');
  t.notMatch(html, /<script>alert/, 'no log line appears as markup in the file');
  t.notMatch(html, /src="http|href="http/, 'no external asset');
  t.equal((html.match(/^<script/gm) ?? []).length, results.runs.length + 1 + 3, 'one JSON block per run + the index + 3 inline scripts');

  const { page, dialogs, errors, requests } = await openReport(file, t);
  const count = (v: string): Promise<string> => page.locator(`[data-testid="count-${v}"] .n`).innerText();
  t.equal(await count('all'), '10');
  t.match(await page.locator('header .muted').first().innerText(), /containment cgroup-v2/, 'the header names the containment the runs had');
  t.equal(await count('pass'), '5');
  t.equal(await count('fail'), '3');
  t.equal(await count('error'), '1');
  t.equal(await count('skipped'), '1');
  t.equal(await page.locator('tr.run-row:visible').count(), 10);
  t.equal(await page.locator('.uplot').count(), 0, 'no run detail is rendered before a run is opened');

  // Filters: verdict chip, search, check.
  await page.click('[data-testid="count-fail"]');
  t.equal(await page.locator('tr.run-row:visible').count(), 3, 'verdict filter');
  await page.click('[data-testid="count-all"]');
  await page.fill('input.search', 'broken-hang');
  t.equal(await page.locator('tr.run-row:visible').count(), 1, 'search');
  await page.fill('input.search', '');
  await page.selectOption('select.filter-check', 'failed:no-escalation');
  t.equal(await page.locator('tr.run-row:visible').count(), 1, 'failing-check filter');
  await page.selectOption('select.filter-check', '');
  await page.selectOption('select.filter-scenario', 'seed/todo/correct');
  t.equal(await page.locator('tr.run-row:visible').count(), 5, 'scenario filter');
  await page.selectOption('select.filter-scenario', '');

  // A failing run: the signal, the escalation and the failing checks on its timeline.
  const hang = results.runs.find((r) => r.id === HANG_ID)!;
  const tte = hang.checks.find((c) => c.name === 'time-to-exit')!;
  await page.getByRole('link', { name: HANG_ID, exact: true }).click();
  const timeline = page.locator('[data-testid="timeline"]');
  const signal = timeline.locator('.marker.kind-signal');
  await signal.waitFor();
  t.match(await signal.innerText(), /^SIGTERM \+\d/, 'the signal marker with its lateness');
  t.ok(await signal.isVisible());
  t.match(await timeline.locator('.marker.kind-escalation').innerText(), /SIGKILL \(escalation\)/);
  t.match(await timeline.locator('.marker.kind-exit').innerText(), /exit \(SIGKILL\)/);
  for (const kind of ['spawn', 'ready', 'trigger', 'signal', 'escalation', 'exit']) {
    t.ok(await timeline.locator(`.marker.kind-${kind}`).isVisible(), `${kind} label visible without zooming`);
  }
  const flag = timeline.locator('.check-flag', { hasText: 'time-to-exit' });
  t.ok(await flag.isVisible(), 'the failing check is flagged on the timeline');
  t.equal(await flag.textContent(), `✗ time-to-exit: expected {"maxMs":10000}, actual ${tte.actual}`);
  t.equal(await timeline.locator('.check-flag').count(), 4, 'one flag per failing check');
  t.ok(await timeline.locator('.uplot canvas').count() >= 2, 'uPlot charts drawn');
  // The failure box opens with the one-line headline, then a compact table (folded checks under
  // their cause); the raw records wait behind a closed toggle.
  const failBox = page.locator('.failing-checks');
  t.equal(await failBox.locator(':scope > *').first().getAttribute('data-testid'), 'headline', 'the headline comes first');
  t.equal(await failBox.locator('[data-testid="headline"]').innerText(), hang.rootCause!.headline);
  t.same(await failBox.locator('table.compact tbody tr').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-check'), r.className])),
    [['no-escalation', 'cause'], ['exit-status', 'folded'], ['time-to-exit', 'folded'], ['drain', 'cause']]);
  t.match(await failBox.locator('tr[data-check="exit-status"]').innerText(), /follows from no-escalation: the exit \(signal SIGKILL \(137\)\) is the SIGKILL's/);
  t.equal(await failBox.locator('details.records').getAttribute('open'), null, 'the records are closed');
  t.notOk(await failBox.locator('.check-card').first().isVisible(), 'no record is shown before the toggle is opened');
  const card = page.locator('.failing-checks .check-card[data-check="time-to-exit"]');
  t.equal(await card.locator('.expected').textContent(), '{"maxMs":10000}');
  t.equal(await card.locator('.actual').textContent(), String(tte.actual));
  const eventsText = await timeline.locator('table.events').innerText();
  t.match(eventsText, /intended [\d.]+ ms, sent [\d.]+ ms \(\+[\d.]+ ms\)/, 'intended vs actual signal time');
  // The target's own lines are in the events list, in time order with the markers.
  const rowsText = await timeline.locator('table.events tbody tr').allInnerTexts();
  const ignored = rowsText.findIndex((r) => r.includes('SIGTERM ignored: waiting for the pool'));
  const sigRow = rowsText.findIndex((r) => /SIGTERM/.test(r) && !r.includes('ignored'));
  t.ok(ignored > sigRow && sigRow >= 0, `the app's line follows the signal it answers (rows ${sigRow}, ${ignored})`);
  t.match(rowsText[ignored]!, /^\+?[\d.]+ ?m?s\s+stderr\s+SIGTERM ignored: waiting for the pool$/);
  // Drag-zoom on the chart: both charts and the labels follow (spawn leaves the view, the signal stays).
  await timeline.scrollIntoViewIfNeeded();
  const box = (await page.locator('.chart.inflight .u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.03, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.15, box.y + 10, { steps: 5 });
  await page.mouse.up();
  await timeline.locator('.marker.kind-spawn').waitFor({ state: 'hidden' });
  t.ok(await signal.isVisible(), 'the signal is still in view after zooming');
  t.ok(await timeline.locator('.marker.kind-escalation').isHidden(), 'the escalation 10 s later is out of view');
  t.match(await signal.innerText(), /^SIGTERM/);
  t.match(await page.locator('.replay-cmd').innerText(), /^npx shutdown-drill run scenarios\/ws-chat\.scenario\.ts --grep '\^seed\/ws-chat\/broken-hang\\\[signal=SIGTERM\\\]\$' --seed 3$/);

  // The passing run: hostile log lines are text; ANSI colours are spans, other escapes dropped.
  await page.goto(pathToFileURL(file).href + '#run/' + results.runs.findIndex((r) => r.id === PASSING_ID));
  await page.waitForSelector('.log-line');
  const lines = await page.locator('.log-line .lx').allTextContents();
  t.ok(lines.includes(XSS_LINE), 'the <script> line is shown as text');
  t.ok(lines.includes(CLOSE_LINE), 'the </script> line is shown as text');
  t.ok(lines.includes('ERROR plain green'), 'ANSI codes are not shown raw');
  const red = page.locator('.log-line .lx span.a-fg1.a-b');
  t.equal(await red.innerText(), 'ERROR');
  t.equal(await page.locator('.log-line .lx span.a-fg2', { hasText: 'green' }).innerText(), 'green');
  t.equal(await page.locator('script:not([type])').count(), 3, 'no script element was added');
  t.equal(await page.locator('img').count(), 0, 'no element from the data');
  t.equal(ANSI_LINE.includes('\u001b'), true);

  // An errored run says why.
  await page.goto(pathToFileURL(file).href + '#run/' + results.runs.findIndex((r) => r.id === ERROR_ID));
  await page.waitForSelector('.marker.kind-error');
  t.match(await page.locator('.reason').innerText(), /^TARGET_EXITED_EARLY: the target exited with code 1/);

  // Repeats: pass rate with a flaky badge, and the distribution chart on demand.
  await page.goto(pathToFileURL(file).href + '#repeats');
  const row = page.locator('tr.group-row', { hasText: REPEAT_BASE });
  t.match(await row.innerText(), /80% \(4\/5\)/);
  t.equal(await row.locator('.badge.flaky').count(), 1);
  await row.click();
  await page.locator('.group-charts .uplot').first().waitFor();
  t.equal(await page.locator('.group-charts .uplot').count(), 2, 'time-to-exit and drain distributions');

  t.same(dialogs, [], 'no dialog fired');
  t.same(errors, [], 'no page error');
  t.same(requests, [], 'no network request');
});

t.test('hostile ids, scenarios and check messages cannot break out of the report', async (t) => {
  const dir = await tempDir(t);
  const evil = '</script><script>alert("id")</script><!--';
  const item = syntheticRun({ id: `seed/${evil}/x`, scenario: `<img src=x onerror=alert("scn")>`, seed: 9, broken: 'reset' });
  item.run.checks[0]!.message = '<b onmouseover=alert(1)>bold</b> ]]> \u2028 \u0000';
  item.run.checks[0]!.expected = { html: '</script>' };
  item.run.reason = '<iframe src="javascript:alert(4)">';
  const results = await writeSuite(dir, [item]);
  const file = await writeHtmlReport({ outDir: dir, results, loadHistory: historyLoader(dir) });
  const { page, dialogs, errors } = await openReport(file, t);
  t.equal(await page.locator('.run-link').innerText(), `seed/${evil}/x`);
  await page.click('.run-link');
  const card = page.locator('.failing-checks .check-card').first();
  await card.waitFor({ state: 'attached' });
  t.equal(await card.locator('.expected').textContent(), '{"html":"</script>"}');
  await page.locator('.marker.kind-signal').waitFor();
  t.equal(await page.locator('iframe, img, b').count(), 0);
  t.same(dialogs, []);
  t.same(errors, []);
});

t.test('a run whose history cannot be read still gets its detail', async (t) => {
  const dir = await tempDir(t);
  const item = syntheticRun({ id: 'seed/x/correct', scenario: 'seed/x/correct', seed: 1 });
  const results = await writeSuite(dir, [item]);
  const file = await writeHtmlReport({
    outDir: dir,
    results,
    loadHistory: () => {
      throw new Error('EACCES: permission denied');
    },
  });
  const { page, errors } = await openReport(file, t);
  await page.click('.run-link');
  await page.waitForSelector('.timeline p.muted');
  t.match(await page.locator('.timeline').innerText(), /could not be read: EACCES: permission denied/);
  t.same(errors, []);
});

t.test('the compare page shows base and current distributions side by side', async (t) => {
  const dir = await tempDir(t);
  const base = resultsFileOf([0, 1, 2, 3, 4, 5].map((r) => syntheticRun({ id: `seed/http-api/correct[signal=SIGTERM]#${r}`, scenario: 'seed/http-api/correct', seed: 7, repeat: r }).run));
  const current: ResultsFile = structuredClone(base);
  for (const r of current.runs) {
    r.metrics.timeToExitMs = (r.metrics.timeToExitMs as number) * 2;
    r.metrics.drainMs = (r.metrics.drainMs as number) * 2;
  }
  const c = compareResults(base, current, { maxSlowdownPct: 20 });
  const file = await writeCompareHtml(dir, c);
  const { page, errors, dialogs, requests } = await openReport(file, t);
  t.equal(await page.locator('[data-testid="compare-verdict"]').innerText(), 'regression');
  t.equal(await page.locator('[data-testid="compare-count-regression"] .n').innerText(), '1');
  const row = page.locator('tr.cmp-row.regression');
  t.match(await row.innerText(), /seed\/http-api\/correct\[signal=SIGTERM\]/);
  await page.locator('.cmp-detail .uplot').first().waitFor();
  t.equal(await page.locator('.cmp-detail .uplot').count(), 2, 'time to exit and drain charts, opened for a regression');
  t.match(await page.locator('.cmp-detail table.summary').first().innerText(), /base\s+6/);
  t.same([errors, dialogs, requests], [[], [], []]);
});
