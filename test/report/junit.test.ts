import fs from 'node:fs/promises';
import path from 'node:path';
import { parse, type TestCase, type TestSuites } from 'junit2json';
import t from 'tap';
import { syntheticRun } from '../../bench/report1000.js';
import { junitXml, writeJunitReport, xmlAttr, xmlText } from '../../harness/report/junit.js';
import { resultsFileOf } from '../../bench/report1000.js';
import { ERROR_ID, HANG_ID, SKIPPED_ID, tempDir, writeFixture } from '../fixtures/report/suite.js';

t.test('junit.xml parses with a JUnit parser and its counts match results.json', async (t) => {
  const dir = await tempDir(t);
  const results = await writeFixture(dir);
  const file = await writeJunitReport(dir, results);
  t.equal(file, path.join(dir, 'junit.xml'));
  const parsed = (await parse(await fs.readFile(file, 'utf8'))) as TestSuites;
  const verdicts = { pass: 0, fail: 0, error: 0, skipped: 0 };
  for (const r of results.runs) verdicts[r.verdict]++;
  t.equal(parsed.tests, results.runs.length);
  t.equal(parsed.failures, verdicts.fail);
  t.equal(parsed.errors, verdicts.error);
  const cases: TestCase[] = parsed.testsuite!.flatMap((s) => s.testcase ?? []);
  t.equal(cases.length, results.runs.length, 'one testcase per run');
  t.equal(cases.filter((c) => c.failure).length, verdicts.fail);
  t.equal(cases.filter((c) => c.error).length, verdicts.error);
  t.equal(cases.filter((c) => c.skipped).length, verdicts.skipped);
  t.equal(parsed.testsuite!.reduce((n, s) => n + (s.skipped ?? 0), 0), verdicts.skipped);
  t.same(new Set(parsed.testsuite!.map((s) => s.name)), new Set(results.runs.map((r) => r.scenario)), 'one suite per scenario');
  for (const run of results.runs) {
    const c = cases.find((x) => x.name === run.id);
    t.ok(c, `testcase for ${run.id}`);
    t.equal(c!.classname, run.scenario);
  }

  const hang = cases.find((c) => c.name === HANG_ID)!;
  const hangRun = results.runs.find((r) => r.id === HANG_ID)!;
  const tte = hangRun.checks.find((c) => c.name === 'time-to-exit')!;
  t.equal(hang.failure!.length, 1);
  // The message is the run's one-line headline (its root cause), never JSON; the records are in the body.
  t.equal(hang.failure![0]!.message!, hangRun.rootCause!.headline);
  t.match(hang.failure![0]!.message!, /^did not exit after SIGTERM: still running 10\.0 s later, so it was killed with SIGKILL \(and 1 other cause: drain\)$/);
  t.notMatch(hang.failure![0]!.message!, /[{}"]/, 'no JSON in message=');
  t.equal(hang.failure![0]!.type, 'exit-status,time-to-exit,no-escalation,drain', 'type still names every failed check');
  t.ok(hang.failure![0]!.inner!.includes(`time-to-exit (fail): follows from no-escalation: the exit came only with the SIGKILL\n  expected: {"maxMs":10000}\n  actual:   ${tte.actual}`));
  t.match(hang.failure![0]!.inner!, /no-escalation \(fail\)\n {2}expected: \{"escalation":false\}\n {2}actual: {3}\{"escalation":true\}/);
  const err = cases.find((c) => c.name === ERROR_ID)!;
  t.equal(err.error![0]!.type, 'TARGET_EXITED_EARLY');
  t.equal(err.error![0]!.message, 'the target exited with code 1 before it was ready');
  const skipped = cases.find((c) => c.name === SKIPPED_ID)!;
  t.equal(skipped.skipped![0]!.message, 'needs python3 >= 3.11 (found 3.9) & "an SMTP port"');
});

t.test('junit.xml escapes markup and strips characters XML 1.0 forbids', async (t) => {
  const item = syntheticRun({ id: 'seed/x/correct[q="a<b>&c\']', scenario: 'x & <y>', seed: 1, broken: 'reset' });
  item.run.checks[0]!.message = 'bell \u0007 nul \u0000 esc \u001b[31m lone \ud800 ]]> </failure> fffe \ufffe ok \u00e9 \u{1F600}';
  item.run.checks[0]!.actual = 'line1\nline2\ttab';
  const xml = junitXml(resultsFileOf([item.run]));
  t.notMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe]/, 'no illegal characters');
  const parsed = (await parse(xml)) as TestSuites;
  const c = parsed.testsuite![0]!.testcase![0]!;
  t.equal(c.name, 'seed/x/correct[q="a<b>&c\']');
  t.equal(c.classname, 'x & <y>');
  t.match(c.failure![0]!.inner!, /actual: {3}line1\nline2\ttab/, 'newlines and tabs in the body survive');
  t.match(c.failure![0]!.inner!, /bell  nul  esc \[31m lone  \]\]> <\/failure> fffe  ok é 😀/);
  t.equal(xmlText('a\u0000<'), 'a&lt;');
  t.equal(xmlAttr('"\n'), '&quot;&#10;');
});

t.test('junit.xml: file= on each testcase, and each suite stamped with when its first run started', async (t) => {
  const a = syntheticRun({ id: 'seed/a/correct#1', scenario: 'seed/a/correct', seed: 1 }).run;
  const b = syntheticRun({ id: 'seed/a/correct#2', scenario: 'seed/a/correct', seed: 2 }).run;
  const c = syntheticRun({ id: 'seed/b/correct', scenario: 'seed/b/correct', seed: 3 }).run;
  const d = syntheticRun({ id: 'seed/c/correct', scenario: 'seed/c/correct', seed: 4 }).run;
  const runs = [
    { ...a, file: 'scenarios/a.scenario.ts', startedAt: '2026-01-01T10:00:05.000Z' },
    { ...b, file: 'scenarios/a.scenario.ts', startedAt: '2026-01-01T10:00:01.000Z' },
    { ...c, file: 'scenarios/b.scenario.yaml', startedAt: '2026-01-01T10:00:09.000Z' },
    { ...d, file: undefined, startedAt: undefined },
  ];
  const xml = junitXml({ ...resultsFileOf(runs), startedAt: '2026-01-01T09:59:59.000Z' });
  const parsed = (await parse(xml)) as TestSuites;
  t.same(parsed.testsuite!.map((s) => [s.name, s.timestamp]), [
    ['seed/a/correct', '2026-01-01T10:00:01.000'], ['seed/b/correct', '2026-01-01T10:00:09.000'], ['seed/c/correct', '2026-01-01T09:59:59.000'],
  ], 'the earliest run of each suite; the results\' start for runs recorded without one');
  t.same([...xml.matchAll(/<testcase [^>]*?(?: file="([^"]*)")? time=/g)].map((m) => m[1] ?? null), ['scenarios/a.scenario.ts', 'scenarios/a.scenario.ts', 'scenarios/b.scenario.yaml', null]);
});
