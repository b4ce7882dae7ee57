// Item 6 of issue 6: safe output. Secrets are redacted from every artifact (raw, URL-encoded,
// base64), artifacts are written atomically, and output paths cannot escape the out dir.
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import t from 'tap';
import { writeFileAtomic } from '../../harness/report/atomic.js';
import { writeFileAtomicSync } from '../../harness/report/atomic.js';
import { writeHtmlReport } from '../../harness/report/html.js';
import { writeJunitReport } from '../../harness/report/junit.js';
import { configureRedaction, createRedactor, findSecrets } from '../../harness/redact.js';
import type { ResultsFile } from '../../harness/report/types.js';
import { MISBEHAVING, readEvents, readResults, runCli, tempDir, writeFile, y } from './cli.js';
import { describeSurvivors, findSurvivors, killSurvivors, newMark } from '../helpers/oracle.js';

// Every file under `dir` (recursively), as paths relative to it.
function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, base));
    else out.push(path.relative(base, p));
  }
  return out.sort();
}

// The secrets of the CLI test: one found by its name (…API_KEY), one listed with --redact, one set
// in the scenario's target.env, with characters that URL-encoding, JSON, HTML and XML escape.
const SECRETS = {
  MY_API_KEY: 's3cr3t/v@lue+==x',
  CUSTOM_THING: 'hunter2hunter',
  DB_PASSWORD: 'pa ss:w<o>rd&"x\\y',
};
// The leaks to look for: each secret raw, URL-encoded (both hex cases), base64 (padded and not,
// url-safe), JSON-escaped, and inside the Basic auth header the target prints.
function leakForms(value: string): string[] {
  const b64 = Buffer.from(value).toString('base64');
  return [...new Set([
    value, encodeURIComponent(value), encodeURIComponent(value).toLowerCase(), b64, b64.replace(/=+$/, ''), Buffer.from(value).toString('base64url'),
    JSON.stringify(value).slice(1, -1), Buffer.from(`admin:${value}`).toString('base64'),
  ])];
}

t.test('secret env values never reach an artifact: raw, URL-encoded or base64 (console included)', async (t) => {
  // Guards: redaction in History.flush (events.jsonl), in writeFileAtomicSync (results.json) and in
  // the console writes (cli.ts redactWrites). Checked: with the redact() call removed from
  // writer.ts flush(), events.jsonl held all three forms and this test failed; with redactData()
  // removed from atomic.ts, results.json held them (the crashed run's reason) and it failed.
  const mark = newMark('redact');
  const dir = tempDir('redact');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const printer = path.join(MISBEHAVING, 'secret-printer.mjs');
  const names = Object.keys(SECRETS);
  const scenario = writeFile(dir, 'secrets.scenario.yaml', `
- name: prints-secrets
  target:
    command: node
    args: [${y(printer)}, ${names.join(', ')}]
    env: { DB_PASSWORD: ${y(SECRETS.DB_PASSWORD)} }
    ready: { log: '^ready' }
  strike: { at: { afterReadyMs: 20 }, signal: SIGTERM, escalate: { afterMs: 3000 } }
  expect: { exit: { codes: [0] } }
- name: crashes-with-secrets
  target:
    command: node
    args: [${y(printer)}, ${names.join(', ')}, --crash]
    env: { DB_PASSWORD: ${y(SECRETS.DB_PASSWORD)} }
    ready: { log: '^ready' }
  expect: { exit: { codes: [0] } }
`);
  const out = path.join(dir, 'out');
  const res = await runCli(['run', scenario, '--out', out, '--redact', 'CUSTOM_THING'], {
    mark, env: { MY_API_KEY: SECRETS.MY_API_KEY, CUSTOM_THING: SECRETS.CUSTOM_THING },
  });
  t.equal(res.code, 1, `exit 1 (one run errors by design)\n${res.stderr}`);
  const results = readResults(out);
  t.same(results.runs.map((r) => [r.id, r.verdict]), [['prints-secrets', 'pass'], ['crashes-with-secrets', 'error']]);
  const files = walk(out);
  t.ok(files.includes('results.json') && files.filter((f) => f.endsWith('events.jsonl')).length === 2, `artifacts: ${files.join(', ')}`);
  const texts: Array<[string, string]> = files.map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]);
  texts.push(['(stdout)', res.stdout], ['(stderr)', res.stderr]);
  for (const [name, value] of Object.entries(SECRETS)) {
    for (const form of leakForms(value)) {
      const leaks = texts.filter(([, text]) => text.includes(form)).map(([f]) => f);
      t.same(leaks, [], `${name} as ${JSON.stringify(form)} appears in no artifact`);
    }
  }
  // The redacted text says what was there, and every JSON artifact still parses.
  const events = readEvents(out, results.runs[0]!['history']);
  const lines = events.filter((e) => e['type'] === 'log:line').map((e) => e['line'] as string);
  for (const name of names) {
    for (const form of ['raw', 'url', 'b64']) t.ok(lines.includes(`${name} ${form}=[REDACTED:${name}]`), `${name} ${form} line redacted`);
  }
  t.match(results.runs[1]!['reason'], /DB_PASSWORD raw=\[REDACTED:DB_PASSWORD\]/, 'the crashed run\'s reason quotes its output, redacted');
  for (const [f, text] of texts) {
    if (f.endsWith('.json')) t.doesNotThrow(() => JSON.parse(text), `${f} parses`);
    if (f.endsWith('.jsonl')) t.doesNotThrow(() => text.split('\n').filter(Boolean).forEach((l) => JSON.parse(l)), `${f} parses`);
  }
  t.same(findSurvivors(mark), [], `no process left: ${describeSurvivors(mark).join('; ')}`);
});

t.test('junit.xml and index.html are redacted too (both atomic writers)', async (t) => {
  // Guards: redactData() in writeFileAtomic (report/atomic.ts: the async writer junit.ts and html.ts
  // use).
  // Checked: with that call removed, both files held the raw, URL-encoded and base64 forms and this
  // test failed.
  const dir = tempDir('redact-reports');
  t.teardown(() => {
    configureRedaction();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const secret = 'tok-<9f>&"Z/q+w==';
  configureRedaction({ envs: [{ SERVICE_TOKEN: secret }] });
  const said = `token=${secret} url=${encodeURIComponent(secret)} b64=${Buffer.from(secret).toString('base64')}`;
  const results: ResultsFile = {
    schemaVersion: 1, tool: { name: 'shutdown-drill', version: '0.0.0' }, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z',
    status: 'failed', machine: { cpus: 1, node: process.version, os: 'linux' },
    runs: [{
      id: 'leaky', scenario: 'leaky', params: {}, seed: 1, repeat: 1, verdict: 'fail', reason: said,
      checks: [{ name: 'log-absent', passed: false, expected: said, actual: said, message: said }],
      metrics: {}, exit: { code: 1, signal: null }, history: 'runs/leaky/events.jsonl',
    }],
  } as unknown as ResultsFile;
  const junit = await writeJunitReport(dir, results);
  const html = await writeHtmlReport({ outDir: dir, results, loadHistory: () => [
    { type: 'run:start', t: 0, runId: 'leaky', scenario: 'leaky', params: {}, seed: 1, originWall: '', harnessPid: 1 },
    { type: 'log:line', t: 1, stream: 'stdout', line: said },
    { type: 'run:end', t: 2 },
  ] as never });
  for (const file of [junit, html]) {
    const text = fs.readFileSync(file, 'utf8');
    for (const form of leakForms(secret)) t.notOk(text.includes(form), `${path.basename(file)} holds no ${JSON.stringify(form)}`);
    t.match(text, /\[REDACTED:SERVICE_TOKEN\]/, `${path.basename(file)} says what was redacted`);
    // The escaped forms the reporters write (XML and HTML entities, \u003c in script JSON).
    t.notOk(text.includes('tok-&lt;9f&gt;') || text.includes('tok-\\u003c9f') || text.includes('tok-&#60;9f'), `${path.basename(file)} holds no escaped form`);
  }
});

t.test('the redactor: which env vars, which forms, and JSON stays valid', async (t) => {
  const { secrets, warnings } = findSecrets([
    { GITHUB_TOKEN: 'ghp_abcdef123456', AUTH_MODE: 'on', DB_PASSWD: 'short', PATH: '/usr/bin', CLIENT_SECRET: 'abcdef', OAUTH_CREDENTIALS: 'x'.repeat(10) },
    { PLAIN: 'visible-value', PIN: '123' },
  ], ['PLAIN', 'PIN', 'MISSING']);
  t.same(secrets.map((s) => s.name).sort(), ['CLIENT_SECRET', 'GITHUB_TOKEN', 'OAUTH_CREDENTIALS', 'PLAIN'], 'secret-looking names with values >= 6 chars, plus listed names');
  t.equal(warnings.length, 2, 'warns about a listed name that is too short and one that does not exist');
  t.match(warnings.join('\n'), /--redact PIN: .*shorter than 4/);
  t.match(warnings.join('\n'), /--redact MISSING: no such variable/);

  const value = 'p"a\\ss/wo+rd<1>';
  const redact = createRedactor([{ name: 'X_TOKEN', value }]).text;
  const doc = { line: `a ${value} b ${encodeURIComponent(value)} c ${Buffer.from(value).toString('base64')}`, nested: JSON.stringify({ v: value }), n: 1234567 };
  const text = JSON.stringify(doc);
  const red = redact(text);
  t.doesNotThrow(() => JSON.parse(red), 'JSON text stays valid JSON');
  t.same(JSON.parse(red), { line: 'a [REDACTED:X_TOKEN] b [REDACTED:X_TOKEN] c [REDACTED:X_TOKEN]', nested: '{"v":"[REDACTED:X_TOKEN]"}', n: 1234567 });
  // Inside a longer base64 text (a Basic auth header), at each of the three byte offsets.
  for (const prefix of ['u:', 'us:', 'use:']) {
    const header = Buffer.from(`${prefix}${value}`).toString('base64');
    t.match(redact(`Authorization: Basic ${header}`), /\[REDACTED:X_TOKEN\]/, `base64 at offset ${prefix.length % 3}`);
  }
  // A numeric secret does not eat into longer numbers.
  const num = createRedactor([{ name: 'PIN_TOKEN', value: '424242' }]).text;
  t.equal(num('{"t":14242424,"pin":"424242"}'), '{"t":14242424,"pin":"[REDACTED:PIN_TOKEN]"}');
  t.equal(createRedactor([]).text('unchanged'), 'unchanged');
});

t.test('results.json is never half-written: read in a loop while a suite rewrites it', async (t) => {
  // Guards: the temp file + rename in writeFileAtomicSync (report/atomic.ts; results.json is
  // rewritten after every run). A concurrent reader must always parse a whole file, and each
  // rewrite must replace the file (new inode) rather than truncate and rewrite it in place.
  // Checked: with writeFileAtomicSync writing the file in place (fs.writeFileSync), the inode
  // never changed and this test failed (torn reads are too brief to catch every time at this
  // size; the next test catches them with a large file).
  const mark = newMark('atomic');
  const dir = tempDir('atomic');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const scenario = writeFile(dir, 'quick.scenario.yaml', `
- name: quick
  target: { command: node, args: ['-e', 'console.log("bye")'] }
  matrix: { n: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }
  expect: { exit: { codes: [0] }, logPresent: ['bye {n}'] }
`);
  const out = path.join(dir, 'out');
  const file = path.join(out, 'results.json');
  let reads = 0;
  const torn: string[] = [];
  const versions = new Set<string>();
  const inodes = new Set<number>();
  let stop = false;
  const reader = (async () => {
    while (!stop) {
      let text: string | undefined;
      try {
        const fd = fs.openSync(file, 'r');
        try {
          inodes.add(fs.fstatSync(fd).ino);
          text = fs.readFileSync(fd, 'utf8');
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        // not written yet
      }
      if (text !== undefined) {
        reads++;
        try {
          const parsed = JSON.parse(text) as { runs: unknown[]; finishedAt: string };
          versions.add(`${parsed.runs.length}:${parsed.finishedAt}`);
        } catch {
          torn.push(`${text.length} bytes: …${text.slice(-40)}`);
        }
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  const res = await runCli(['run', scenario, '--out', out, '--concurrency', '2'], { mark });
  stop = true;
  await reader;
  t.equal(res.code, 1, `exit 1: logPresent 'bye {n}' fails by design for every run\n${res.stderr.slice(0, 2000)}`);
  t.equal(readResults(out).runs.length, 12);
  t.same(torn, [], 'every read parsed');
  t.ok(reads > 20, `read it ${reads} times while the suite ran`);
  t.ok(versions.size >= 3, `saw ${versions.size} versions of results.json`);
  t.ok(inodes.size >= 3, `each rewrite replaced the file (saw ${inodes.size} inodes)`);
  t.same(fs.readdirSync(out).filter((f) => f.endsWith('.tmp')), [], 'no temp file left behind');
});

t.test('the atomic writers never expose a torn file to a concurrent reader (large file)', async (t) => {
  // Guards: temp + rename in both writers (writeFileAtomic, writeFileAtomicSync in atomic.ts). Checked: with either
  // writer's body replaced by a plain fs.writeFile(Sync)(file, data), the reader thread saw
  // truncated files and this test failed.
  const dir = tempDir('atomic-big');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const size = 8 * 1024 * 1024;
  const payloads = ['a', 'b'].map((c) => `${c.repeat(size - 1)}\n`);
  for (const [label, write] of [
    ['writeFileAtomicSync', async (f: string, d: string) => writeFileAtomicSync(f, d)],
    ['writeFileAtomic', writeFileAtomic],
  ] as const) {
    const file = path.join(dir, `${label}.txt`);
    await write(file, payloads[0]!);
    const stopFlag = new SharedArrayBuffer(4);
    const worker = new Worker(`
      const { parentPort, workerData } = require('node:worker_threads');
      const fs = require('node:fs');
      const flag = new Int32Array(workerData.flag);
      let reads = 0, torn = 0;
      fs.readFileSync(workerData.file);
      parentPort.postMessage('started');
      while (Atomics.load(flag, 0) === 0) {
        const text = fs.readFileSync(workerData.file, 'latin1');
        reads++;
        if (text.length !== workerData.size || text[text.length - 1] !== '\\n' || text[0] !== text[text.length - 2]) torn++;
      }
      parentPort.postMessage({ reads, torn });
    `, { eval: true, workerData: { file, size, flag: stopFlag } });
    const messages: unknown[] = [];
    const waiters: Array<() => void> = [];
    worker.on('message', (m) => {
      messages.push(m);
      waiters.splice(0).forEach((w) => w());
    });
    const next = async (): Promise<unknown> => {
      while (messages.length === 0) await new Promise<void>((r) => waiters.push(r));
      return messages.shift();
    };
    // Once the reader runs, rewrite the file 30 times.
    t.equal(await next(), 'started');
    for (let i = 0; i < 30; i++) await write(file, payloads[i % 2]!);
    Atomics.store(new Int32Array(stopFlag), 0, 1);
    const { reads, torn } = (await next()) as { reads: number; torn: number };
    await worker.terminate();
    t.equal(torn, 0, `${label}: ${reads} concurrent reads, none torn`);
    t.ok(reads >= 5, `${label}: the reader read ${reads} times`);
  }
});

t.test('output paths cannot escape the out dir, whatever the run ids', async (t) => {
  // Guards: runDirName() (harness/run/plan.ts) sanitising run ids into folder names. Checked: with
  // runDirName returning the id unchanged, events.jsonl files were written outside the out dir and
  // this test failed.
  const mark = newMark('paths');
  const root = tempDir('paths');
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(root, { recursive: true, force: true });
  });
  const scenarios = path.join(root, 'scenarios');
  const scenario = writeFile(scenarios, 'evil.scenario.yaml', `
- name: ../../../escaped-by-name
  target: { command: node, args: ['-e', '0'] }
  expect: { exit: { codes: [0] } }
- name: /tmp/absolute-name
  target: { command: node, args: ['-e', '0'] }
  expect: { exit: { codes: [0] } }
- name: ..
  target: { command: node, args: ['-e', '0'] }
  expect: { exit: { codes: [0] } }
- name: params
  target: { command: node, args: ['-e', '0'] }
  matrix: { p: ['../../../../escaped-by-param', '..\\\\..\\\\win', '/etc/x'] }
  expect: { exit: { codes: [0] } }
`);
  const out = path.join(root, 'a', 'b', 'out');
  const res = await runCli(['run', scenario, '--out', out], { mark });
  t.equal(res.code, 0, `all runs pass\n${res.stderr}`);
  const results = readResults(out);
  t.equal(results.runs.length, 6);
  for (const run of results.runs) {
    const history = path.resolve(out, run['history'] as string);
    t.ok(history.startsWith(out + path.sep), `${run['id']}: history ${run['history']} is inside the out dir`);
    t.ok(fs.existsSync(history), `${run['id']}: its history exists`);
  }
  const everything = walk(root);
  const outside = everything.filter((f) => !f.startsWith(`a${path.sep}b${path.sep}out${path.sep}`) && !f.startsWith(`scenarios${path.sep}`));
  t.same(outside, [], 'nothing written outside the out dir');
  t.ok(fs.readdirSync(path.join(out, 'runs')).every((d) => !d.startsWith('.') && !d.includes('/')), 'run folders are plain names');
  t.same(findSurvivors(mark), []);
});
