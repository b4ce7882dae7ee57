// Issue 11, item 3 (regex part): user regexes run in linear time (RE2, scenario/regex.ts). A
// catastrophic pattern (`^(a+)+$` against a line of 40 a's and a b: 2^40 steps for a backtracking
// engine) in ready.log, strike.at.onLog or a log check must neither pin the harness nor make it deaf
// to SIGTERM; syntax RE2 cannot run is rejected at load (exit 2) naming the field and the fix.
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { FIXTURES, killSurvivors, newMark, runEvents, startCli, survivors, writeScenario, type CliResult } from '../helpers/cli.js';

const PRINTS = path.join(FIXTURES, 'evidence', 'prints.mjs');
const EVIL = "'^(a+)+$'";
// The target prints the evil line first, then `ready`.
const target = (ready: string): string => `{ command: node, args: ['${PRINTS}', 'a*40b'], ready: ${ready} }`;

// The CLI's result, or undefined when it has not exited within `ms` (then it is SIGKILLed: a
// pinned harness ignores SIGTERM).
async function within(cli: ReturnType<typeof startCli>, ms: number): Promise<CliResult | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([cli.done, new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
  if (r === undefined) {
    cli.child.kill('SIGKILL');
    await cli.done;
  }
  return r;
}

// Resolves with the run's events.jsonl text once `predicate` holds (the harness writes it as it
// happens); undefined after `ms`.
async function awaitHistory(outDir: string, predicate: (text: string) => boolean, ms: number): Promise<string | undefined> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    const runs = path.join(outDir, 'runs');
    for (const d of fs.existsSync(runs) ? fs.readdirSync(runs) : []) {
      const file = path.join(runs, d, 'events.jsonl');
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      if (predicate(text)) return text;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

function setup(t: Test, label: string): string {
  const mark = newMark(label);
  t.teardown(() => {
    killSurvivors(mark);
  });
  return mark;
}

// The harness waits (on a pattern that can never match), then gets SIGTERM: it must answer 143.
async function sigtermWhileWaiting(t: Test, label: string, yaml: string, handshake: (text: string) => boolean): Promise<void> {
  const mark = setup(t, label);
  const cli = startCli(['run', writeScenario(yaml)], { mark });
  const seen = await awaitHistory(cli.outDir, handshake, 15_000);
  t.ok(seen, 'the harness recorded the evil line (it was not pinned by it)');
  const sentAt = performance.now();
  cli.child.kill('SIGTERM');
  const r = await within(cli, 10_000);
  t.ok(r, 'the harness exited on SIGTERM');
  t.equal(r?.code, 143, `exit 143\n${r?.stderr ?? ''}`);
  t.equal(r?.results?.status, 'interrupted');
  t.ok(performance.now() - sentAt < 10_000);
  t.same(survivors(mark), [], 'no process left behind');
}

t.test('ready.log: a catastrophic pattern is matched in linear time and the harness honours SIGTERM', (t) =>
  sigtermWhileWaiting(t, 'regex-ready', `
- name: evil-ready
  target: ${target(`{ log: ${EVIL}, timeoutMs: 60000 }`)}
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  timeoutMs: 120000
  expect: { exit: { codes: [0] } }
`, (text) => text.includes('"line":"ready"') && text.includes('aaab')));

t.test('strike.at.onLog: a catastrophic pattern is matched in linear time and the harness honours SIGTERM', (t) =>
  sigtermWhileWaiting(t, 'regex-onlog', `
- name: evil-onlog
  target: ${target(`{ log: '^ready' }`)}
  strike: { at: { onLog: ${EVIL}, timeoutMs: 60000 }, signal: SIGTERM }
  timeoutMs: 120000
  expect: { exit: { codes: [0] } }
`, (text) => text.includes('"type":"trigger:armed"') && text.includes('aaab')));

t.test('a log check with a catastrophic pattern is judged promptly, with the exact verdicts', async (t) => {
  const mark = setup(t, 'regex-check');
  const started = performance.now();
  const cli = startCli(['run', writeScenario(`
- name: evil-check
  target: ${target(`{ log: '^ready' }`)}
  strike: { at: { afterReadyMs: 0 }, signal: SIGTERM }
  expect: { exit: { codes: [0] }, logAbsent: [${EVIL}], logPresent: ['^goodbye$', 'a{40}b'], logOrder: ['^a+b$', ${EVIL}] }
`)], { mark });
  const r = await within(cli, 20_000);
  t.ok(r, 'the run finished');
  t.ok(performance.now() - started < 20_000);
  const run = r?.results?.runs[0];
  const verdicts = Object.fromEntries((run?.checks ?? []).map((c) => [c.name, c.passed]));
  t.same(verdicts, { 'exit-status': true, 'no-escalation': true, 'no-orphans': true, 'log-present': true, 'log-absent': true, 'log-order': false }, JSON.stringify(run?.checks));
  t.match(run?.checks.find((c) => c.name === 'log-order')?.message, /never printed: \/\^\(a\+\)\+\$\//);
  t.equal(r?.code, 1);
  t.ok(runEvents(r!.outDir, run!.history).some((e) => e.type === 'log:line' && String(e['line']).endsWith('aaab')));
  t.same(survivors(mark), []);
});

t.test('syntax RE2 cannot run is rejected at load: exit 2 naming the field and what to change', async (t) => {
  const mark = setup(t, 'regex-syntax');
  const file = writeScenario(`
- name: js-only
  target: { command: node, args: ['${PRINTS}'], ready: { log: '(a)\\1' } }
  strike: { at: { onLog: 'x(?=y)' }, signal: SIGTERM }
  expect: { logPresent: ['(?<=a)b'], logAbsent: [{ pattern: 'ok', source: svc }] }
`);
  const r = (await within(startCli(['run', file], { mark }), 20_000))!;
  t.equal(r.code, 2, 'exit 2 (invalid scenario)');
  t.match(r.stderr, /target\.ready\.log[^\n]*backreferences/);
  t.match(r.stderr, /strike\.at\.onLog[^\n]*lookahead/);
  t.match(r.stderr, /expect\.logPresent\[0\][^\n]*lookbehind/);
  t.notMatch(r.stderr, /logAbsent/, 'a valid pattern with a source is accepted');
  const grep = (await within(startCli(['list', file, '--grep', 'a(?!b)'], { mark }), 20_000))!;
  t.equal(grep.code, 2);
  t.match(grep.stderr, /--grep[^\n]*lookahead/);
  t.same(survivors(mark), []);
});
