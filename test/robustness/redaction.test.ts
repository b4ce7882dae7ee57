// Issue 11, items 5 and 6 (and ENOSPC from item 3), through the real CLI: redaction on values
// (never on serialized text), every leak form and secret source, run folders without secrets,
// target output inert on the console and in the GitHub summary, `report DIR` reading only inside
// DIR, and a full disk recorded as an error.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { chromium } from 'playwright-core';
import t from 'tap';
import { ROOT, readResults, runCli, tempDir, writeFile, y } from './cli.js';
import { describeSurvivors, findSurvivors, killSurvivors, newMark } from '../helpers/oracle.js';

const LEAKER = path.join(ROOT, 'test', 'fixtures', 'redaction', 'leaker.mjs');

function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(path.relative(base, p) + '/', ...walk(p, base));
    else out.push(path.relative(base, p));
  }
  return out.sort();
}

// The forms the leaker prints, each a leak if found.
function leakForms(v: string): string[] {
  const bytes = Buffer.from(v);
  const quotePlus = encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
  const cores: string[] = [];
  for (const shift of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    cores.push(padded.toString('base64').slice([0, 2, 3][shift], Math.floor(padded.length / 3) * 4));
  }
  return [...new Set([v, encodeURIComponent(v), quotePlus, bytes.toString('hex'), bytes.toString('hex').toUpperCase(),
    [...v].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''), bytes.toString('base64'), ...cores])];
}

const SECRETS = {
  argv: 'pa ss/wörd+1!',
  token: 'tok3n_Value-42',
  url: 'Db/p@ss w0rd',
  mysql: 'mysqlSecret9',
  env: 'envS3cret~value',
};

t.test('every leak form of every secret source is redacted, in every artifact and on the console', async (t) => {
  // Guards: redactValue in History.flush, atomic.ts (JSON), junit/html/summary; the split-line
  // pairing in writer.ts; secret detection of argv, URL userinfo, MYSQL_PWD (findSecrets);
  // runDirName. Checked against the build before this change: hex, `+`, \uXXXX, split, wrapped
  // base64, argv, URL and MYSQL_PWD secrets leaked and the run folder held the matrix secret.
  const mark = newMark('redaction');
  const dir = tempDir('redaction');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const scenario = writeFile(dir, 'leak.scenario.yaml', `
- name: leaks
  target:
    command: node
    args: [${y(LEAKER)}, --password, ${y(SECRETS.argv)}, ${y(`--token=${SECRETS.token}`)}, --url, DATABASE_URL, --env, MYSQL_PWD, --env, DB_PASSWORD]
    env: { DB_PASSWORD: ${y(SECRETS.env)} }
    ready: { log: '^ready' }
  matrix: { key: [${y(SECRETS.env)}] }
  strike: { at: { afterReadyMs: 50 }, signal: SIGTERM, escalate: { afterMs: 3000 } }
  expect: { exit: { codes: [0] }, logAbsent: ['never printed'] }
- name: hostile
  target:
    command: node
    args: [${y(LEAKER)}, --password, ${y(SECRETS.argv)}, --hostile]
    ready: { log: '^ready' }
  expect: { exit: { codes: [0] } }
`);
  const out = path.join(dir, 'out');
  const summary = path.join(dir, 'summary.md');
  const res = await runCli(['run', scenario, '--out', out], {
    mark, env: { DATABASE_URL: `postgres://app:${encodeURIComponent(SECRETS.url)}@db:5432/app`, MYSQL_PWD: SECRETS.mysql, GITHUB_STEP_SUMMARY: summary },
  });
  t.equal(res.code, 1, `exit 1: the hostile run errors by design\n${res.stderr.slice(0, 3000)}`);
  const results = readResults(out);
  t.same(results.runs.map((r) => r['verdict']), ['pass', 'error']);
  const files = walk(out).filter((f) => !f.endsWith('/'));
  t.ok(files.includes('index.html') && files.includes('junit.xml') && files.filter((f) => f.endsWith('spec.json')).length === 2, files.join(', '));
  const texts: Array<[string, string]> = files.map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]);
  texts.push(['(stdout)', res.stdout], ['(stderr)', res.stderr], ['(summary)', fs.readFileSync(summary, 'utf8')], ['(folder names)', walk(out).join('\n')]);
  // The log as one stream (a secret split over two lines, or base64 wrapped across lines).
  for (const f of files.filter((f) => f.endsWith('events.jsonl'))) {
    const lines = fs.readFileSync(path.join(out, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.type === 'log:line').map((e) => e.line as string);
    texts.push([`${f} (lines joined)`, lines.join('')]);
    if (f.includes('leaks')) t.ok(lines.some((l) => l.startsWith('#0 split=[REDACTED:')), 'the first half of a split secret is redacted');
  }
  for (const [name, value] of Object.entries(SECRETS)) {
    for (const form of leakForms(value)) {
      const leaks = texts.filter(([, text]) => text.includes(form)).map(([f]) => f);
      t.same(leaks, [], `${name} as ${JSON.stringify(form)} appears nowhere`);
    }
  }
  for (const [f, text] of texts) if (f.endsWith('.json')) t.doesNotThrow(() => JSON.parse(text), `${f} parses`);
  t.match(results.runs[0]!['id'], /^leaks\[key=\[REDACTED:DB_PASSWORD\]\]$/, 'the run id is redacted');
  t.match(results.runs[0]!['history'], /^runs\/leaks_key=_REDACTED_DB_PASSWORD_-[0-9a-f]{8}\/events\.jsonl$/, 'the run folder is named from the redacted id');

  // Output from targets is inert: no escape sequence, \r repaint or C1 control reaches the
  // console (CI=1: the reporter paints no color of its own), and no markdown renders in the summary.
  t.test('terminal control sequences from the target are neutralized on the console', async (t) => {
    // Guards: inert() in console.ts. Checked: without it, stdout held ESC [2K \r and `✓ pass`
    // at the start of a line.
    for (const [name, text] of [['stdout', res.stdout], ['stderr', res.stderr]] as const) {
      t.notMatch(text, /[\x1b\r\x07\x9b]/, `${name} holds no ESC, CR, BEL or C1 CSI`);
    }
    t.match(res.stdout, /\\x1b\[2K\\r\\x1b\[32m✓ pass/, 'the sequence is shown as visible text');
    t.notMatch(res.stdout, /^✓ pass\s+all good/m, 'the failing run cannot repaint itself as a pass');
  });
  t.test('markdown from the target is escaped in the GitHub summary', async (t) => {
    // Guards: cell() in github-summary.ts. Checked: without the markdown escapes, the summary held
    // [link](https://evil.example/x) and ![img](...) as written.
    const md = fs.readFileSync(summary, 'utf8');
    t.match(md, /hostile/);
    t.notMatch(md, /\[link\]\(https/, 'no markdown link');
    t.notMatch(md, /!\[img\]/, 'no markdown image');
    t.notMatch(md, /\*\*bold\*\*/, 'no emphasis');
    t.notMatch(md, /@octocat/, 'no mention');
    t.match(md, /\\\*\\\*bold\\\*\\\* \\\[link\\\]\\\(https\\:\\\/\\\/evil\\\.example\\\/x\\\)/, 'shown as escaped text');
  });
  t.same(findSurvivors(mark), [], `no process left: ${describeSurvivors(mark).join('; ')}`);
});

t.test('secrets equal to words of the artifacts (strict, testcase, verdict) break none of them', async (t) => {
  // Guards: redaction on values (redactValue) instead of the serialized text. Checked against the
  // build before this change: index.html's scripts had `use [REDACTED:AUTH_MODE]` and the page
  // never became ready, junit.xml did not parse, results.json had a `[REDACTED:...]` key.
  const mark = newMark('words');
  const dir = tempDir('words');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const scenario = writeFile(dir, 'words.scenario.yaml', `
- name: plain
  target: { command: node, args: ['-e', 'console.log("bye")'] }
  expect: { exit: { codes: [0] }, logPresent: ['bye'] }
`);
  const out = path.join(dir, 'out');
  const res = await runCli(['run', scenario, '--out', out], { mark, env: { AUTH_MODE: 'strict', MY_TOKEN: 'testcase', OTHER_SECRET: 'verdict' } });
  t.equal(res.code, 0, res.stderr);
  const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
  t.same(Object.keys(results.runs[0]).filter((k) => k.includes('REDACTED')), [], 'no key renamed');
  t.equal(results.runs[0].verdict, 'pass', '`verdict` is still the key');
  const xml = fs.readFileSync(path.join(out, 'junit.xml'), 'utf8');
  t.equal(XMLValidator.validate(xml), true, 'junit.xml is well-formed');
  const doc = new XMLParser({ ignoreAttributes: false }).parse(xml);
  t.equal(doc.testsuites.testsuite.testcase['@_name'], 'plain', 'one <testcase> named for the run');
  const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
  t.match(html, /use strict/, 'the page scripts are untouched');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(path.join(out, 'index.html')).href);
  await page.waitForSelector('html[data-ready="1"]', { timeout: 15_000 });
  t.equal(await page.locator('tr.run-row').count(), 1, 'the page lists the run');
  t.same(errors, [], 'no script error');
  t.same(findSurvivors(mark), []);
});

t.test('validation errors do not print the scenario\'s secrets', async (t) => {
  // Guards: formatIssues/received in scenario/problems.ts with secretsInInput. Checked: without
  // them, stderr quoted 98765432101 and ["listSecret42"].
  const mark = newMark('invalid');
  const dir = tempDir('invalid');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const scenario = writeFile(dir, 'bad.scenario.yaml', `
- name: bad
  target:
    command: node
    env: { DB_PASSWORD: 98765432101, API_TOKEN: ['listSecret42'] }
  expect: { exit: { codes: [0] } }
`);
  const res = await runCli(['run', scenario, '--out', path.join(dir, 'out')], { mark });
  t.equal(res.code, 2);
  t.match(res.stderr, /target\.env\.DB_PASSWORD: expected string, received \[REDACTED:DB_PASSWORD\] \(number\)/);
  t.match(res.stderr, /target\.env\.API_TOKEN: expected string, received \["\[REDACTED:API_TOKEN\]"\] \(array\)/);
  t.notMatch(res.stderr, /98765432101|listSecret42/);
});

t.test('report DIR reads only inside DIR: a history pointing outside is refused for that run', async (t) => {
  // Guards: insideDir() in rejudge (cli-extra.ts) and historyLoader (html.ts). Checked: without
  // them the run was re-judged from the outside spec and history, and index.html showed its line.
  const mark = newMark('report-dir');
  const dir = tempDir('report-dir');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const scenario = writeFile(dir, 'two.scenario.yaml', `
- name: one
  target: { command: node, args: ['-e', 'console.log("bye")'] }
  expect: { exit: { codes: [0] }, logPresent: ['bye'] }
- name: two
  target: { command: node, args: ['-e', 'console.log("bye")'] }
  expect: { exit: { codes: [0] }, logPresent: ['bye'] }
`);
  const out = path.join(dir, 'out');
  t.equal((await runCli(['run', scenario, '--out', out], { mark })).code, 0);
  // A history outside DIR, with a spec, that would make the run pass with an outside line.
  const outside = path.join(dir, 'outside');
  const results = readResults(out);
  fs.mkdirSync(outside);
  fs.copyFileSync(path.join(out, path.dirname(results.runs[0]!['history']), 'spec.json'), path.join(outside, 'spec.json'));
  const events = fs.readFileSync(path.join(out, results.runs[0]!['history']), 'utf8').replace(/"line":"bye"/, '"line":"OUTSIDE-MARKER"');
  fs.writeFileSync(path.join(outside, 'events.jsonl'), events);
  results.runs[0]!['history'] = '../outside/events.jsonl';
  results.runs[1]!['history'] = path.join(outside, 'events.jsonl');
  fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify(results, null, 2));
  const res = await runCli(['report', out], { mark });
  t.equal(res.code, 1, `the refused runs are errors\n${res.stderr}`);
  const after = readResults(out);
  t.same(after.runs.map((r) => [r['verdict'], r['errorCode']]), [['error', 'RESULTS_INVALID'], ['error', 'RESULTS_INVALID']]);
  t.match(after.runs[0]!['reason'], /history "\.\.\/outside\/events\.jsonl" leads outside the out dir: refused, not read/);
  t.match(after.runs[1]!['reason'], /is an absolute path: refused, not read/);
  t.notMatch(fs.readFileSync(path.join(out, 'index.html'), 'utf8'), /OUTSIDE-MARKER/, 'nothing of the outside history is in the report');
  t.same(after.runs.map((r) => r['outcome']), ['unexpected', 'unexpected'], 'an error is never an outcome the gate lets pass');

  // A history that is gone: the run cannot keep the pass it had (no data is an error).
  const out2 = path.join(dir, 'out2');
  t.equal((await runCli(['run', scenario, '--out', out2], { mark })).code, 0);
  const before = readResults(out2);
  fs.rmSync(path.join(out2, before.runs[1]!['history']));
  const res2 = await runCli(['report', out2], { mark });
  t.equal(res2.code, 1, `a run without its history fails the report\n${res2.stderr}`);
  const after2 = readResults(out2);
  t.same(after2.runs.map((r) => [r['verdict'], r['outcome']]), [['pass', 'expected'], ['error', 'unexpected']]);
  t.match(after2.runs[1]!['reason'], /^cannot re-judge: .*events\.jsonl missing from /);
});

t.test('a full disk while writing a history is a recorded error, and results.json is still written', async (t) => {
  // Guards: History.flush catching the write error (writer.ts), its reserve, and run-one turning
  // writeError into the run's error. Checked against the build before this change: the harness
  // died of an uncaught ENOSPC and left no results.json.
  const dir = tempDir('enospc');
  const out = path.join(dir, 'out');
  fs.mkdirSync(out);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', out], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    t.skip(`cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || '').trim()}): needs root or CAP_SYS_ADMIN`);
    return;
  }
  const mark = newMark('enospc');
  t.teardown(() => {
    killSurvivors(mark);
    spawnSync('umount', [out]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const scenario = writeFile(dir, 'flood.scenario.yaml', `
- name: flood
  target: { command: node, args: ['-e', 'for (let i = 0; i < 4000; i++) console.log("line " + i + " " + "x".repeat(60)); console.log("bye")'] }
  expect: { exit: { codes: [0] }, logPresent: ['bye'] }
`);
  const res = await runCli(['run', scenario, '--out', out], { mark });
  t.equal(res.code, 1, `exit 1, not a crash\n${res.stderr.slice(0, 2000)}`);
  t.notMatch(res.stderr, /internal error|uncaught|at .*\.js:\d+/i, 'no stack');
  const results = readResults(out);
  t.equal(results.status, 'failed');
  t.equal(results.runs[0]!['verdict'], 'error');
  t.equal(results.runs[0]!['errorCode'], 'OUTPUT_WRITE_FAILED');
  t.match(results.runs[0]!['reason'], /could not write the run's history .*events\.jsonl: no space left on device \(ENOSPC\)/);
  const history = fs.readFileSync(path.join(out, results.runs[0]!['history']), 'utf8');
  t.ok(history.length > 0 && history.endsWith('\n'), `the history keeps ${history.length} bytes of whole events`);
  t.doesNotThrow(() => history.split('\n').filter(Boolean).forEach((l) => JSON.parse(l)), 'every kept line parses');
  t.same(findSurvivors(mark), []);
});
