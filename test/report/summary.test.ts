import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { syntheticRun, resultsFileOf } from '../../bench/report1000.js';
import { writeFileAtomic } from '../../harness/report/atomic.js';
import { appendGithubSummary } from '../../harness/report/github-summary.js';
import { HANG_ID, REPEAT_BASE, tempDir, writeFixture } from '../fixtures/report/suite.js';

t.test('the GitHub step summary is appended as a markdown table when the file is set', async (t) => {
  const dir = await tempDir(t);
  const results = await writeFixture(dir);
  const file = path.join(dir, 'step-summary.md');
  await fs.writeFile(file, '# earlier step\n');
  t.equal(await appendGithubSummary(results, file), file);
  const md = await fs.readFile(file, 'utf8');
  t.ok(md.startsWith('# earlier step\n'), 'appended, not replaced');
  t.match(md, /### ❌ shutdown-drill: failed/);
  t.match(md, /\| 10 \| 5 \| 3 \| 1 \| 1 \|/);
  // Text from runs is markdown-escaped (backslashes before punctuation): read it as GitHub renders it.
  const shown = md.replace(/\\([!-/:-@[-`{-~])/g, '$1');
  const hangRow = shown.split('\n').find((l) => l.includes(HANG_ID))!;
  const hangRun = results.runs.find((r) => r.id === HANG_ID)!;
  t.ok(hangRow.includes(`**${hangRun.rootCause!.headline}**<br>no-escalation, exit-status (follows from no-escalation), time-to-exit (follows from no-escalation), drain`), 'the headline, then every failed check under its cause');
  t.notMatch(hangRow, /\{"/, 'no raw JSON');
  t.match(hangRow, /<code>npx shutdown-drill run scenarios\/ws-chat\.scenario\.ts --grep '\^seed\/ws-chat\/broken-hang\\\[signal=SIGTERM\\\]\$' --seed 3<\/code>/);
  t.match(shown, new RegExp(`\\| ${REPEAT_BASE.replace(/[[\]]/g, '\\$&')} \\| 5 \\| 80% \\|`), 'repeat pass rate');
  t.equal(await appendGithubSummary(results, undefined), null);
});

t.test('markup and pipes in the data cannot break the summary', async (t) => {
  const dir = await tempDir(t);
  const item = syntheticRun({ id: 'a|b<script>alert(1)</script>', scenario: 's', seed: 1, broken: 'reset' });
  item.run.checks[0]!.message = 'x';
  item.run.checks[0]!.actual = '<img src=x onerror=alert(1)>|\n';
  const file = path.join(dir, 'summary.md');
  await appendGithubSummary(resultsFileOf([item.run]), file);
  const md = await fs.readFile(file, 'utf8');
  t.notMatch(md, /<script|<img/);
  t.match(md, /a\\\|b&lt;script&gt;/);
});

t.test('writeFileAtomic replaces the file whole and leaves no temp file', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'sub', 'x.txt');
  await writeFileAtomic(file, 'one');
  await writeFileAtomic(file, 'two');
  t.equal(await fs.readFile(file, 'utf8'), 'two');
  t.same(await fs.readdir(path.join(dir, 'sub')), ['x.txt']);
  await t.rejects(writeFileAtomic(path.join(dir, 'sub', 'x.txt', 'nested'), 'z'));
  t.same(await fs.readdir(path.join(dir, 'sub')), ['x.txt'], 'no temp file after a failure');
});
