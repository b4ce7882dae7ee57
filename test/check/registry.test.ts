// The check registry (check/index.ts allChecks): every check defined in harness/check/ is listed
// once, and the names are the contract's (CONTRACTS.md "Check names", plus `inspect` and issue 16's
// `no-zombies`), in report order.
// Guards: a check file whose check is not in the list. Checked: with `errorRate` removed from
// allChecks, the first case failed naming error-rate.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';
import { allChecks, checkNames } from '../../harness/check/index.js';
import { RunSpecSchema } from '../../harness/scenario/schema.js';
import { tempDir } from '../helpers/cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const checkDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../harness/check');

t.test('every check defined in harness/check/ is in the registry, once', async (t) => {
  const defined: string[] = [];
  for (const file of fs.readdirSync(checkDir).filter((f) => f.endsWith('.ts')).sort()) {
    const mod = (await import(pathToFileURL(path.join(checkDir, file)).href)) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      const c = value as { name?: unknown; applies?: unknown; judge?: unknown };
      if (c && typeof c === 'object' && typeof c.name === 'string' && typeof c.applies === 'function' && typeof c.judge === 'function') {
        defined.push(c.name);
        t.ok((allChecks as readonly unknown[]).includes(value), `${file}: ${c.name} is listed in allChecks`);
      }
    }
  }
  t.same([...new Set(defined)].sort(), [...checkNames].sort(), 'the registry lists exactly the defined checks');
  t.equal(new Set(checkNames).size, checkNames.length, 'no check is listed twice');
});

t.test('the check names, in report order', async (t) => {
  t.same(checkNames, [
    'exit-status', 'time-to-exit', 'no-escalation', 'no-orphans', 'no-zombies', 'files-absent', 'files-intact',
    'log-present', 'log-absent', 'log-order', 'still-running', 'inspect',
    'drain', 'new-work-rejected', 'no-reset', 'readiness-flip', 'ws-close-codes', 'ws-goodbye', 'error-rate',
  ]);
});

// A check added the documented way (harness/README.md "Adding a check"): its file, declaring its
// expectation field and registering it, plus one line in allChecks, in a copy of harness/. Nothing
// else: the schema's `expect`, the `expect.fails` names and the JSON Schema derive from the list.
// Checked: with the copy's scenario/schema.ts and check/names.ts put back as main's hand lists
// (before the lists derived), this case failed (`maxLines` an unknown key, `max-lines` not a
// check name `expect.fails` may list, no `maxLines` in the JSON Schema).
const MAX_LINES = `import { eventsOf, firstOf } from '../history/events.js';
import { checkKit } from '../scenario/fields.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z } = checkKit;

const maxLinesFields = {
  maxLines: z.number().int().nonnegative().optional().describe('max-lines: the target printed at most this many lines'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'max-lines': typeof maxLinesFields }
}

export const maxLines = defineCheck({
  name: 'max-lines',
  expect: maxLinesFields,
  applies: (spec) => spec.expect.maxLines !== undefined,
  judge({ spec, events }) {
    const max = spec.expect.maxLines!;
    if (!firstOf(events, 'target:exit')) return noEvidence('max-lines', { atMost: max }, 'the target did not exit');
    const n = eventsOf(events, 'log:line').length;
    return n <= max ? pass('max-lines', { atMost: max }, { lines: n }, \`\${n} lines\`) : fail('max-lines', { atMost: max }, { lines: n }, \`\${n} lines\`);
  },
});
`;

const JUDGE = `import { judge, verdictOf } from './harness/check/index.js';
import { scenarioJsonSchema } from './harness/scenario/json-schema.js';
import { RunSpecSchema } from './harness/scenario/schema.js';

const spec = (expect) => RunSpecSchema.safeParse({ name: 'x', target: { command: 'true' }, expect: { noOrphans: false, ...expect } });
const issues = (r) => (r.success ? null : r.error.issues.map((i) => [i.path.join('.'), i.code].join(' ')));
const line = (t) => ({ type: 'log:line', t, stream: 'stdout', line: 'l' + t });
const events = [{ type: 'target:spawned', t: 0, pid: 1, pgid: 1, command: 'node', args: [], cwd: '/tmp' }, line(1), line(2), { type: 'target:exit', t: 3, code: 0, signal: null, shellCode: 0, byHarness: false }];
const judged = (expect, ev = events) => {
  const r = spec(expect);
  if (!r.success) return issues(r);
  const checks = judge(r.data, ev);
  return { checks: checks.map((c) => [c.name, c.status]), verdict: verdictOf(checks) };
};
const expectProps = scenarioJsonSchema().anyOf[0].properties.expect.properties;
const keys = Object.keys(expectProps);
process.stdout.write(JSON.stringify({
  fails: judged({ maxLines: 1 }),
  passes: judged({ maxLines: 2 }),
  noExit: judged({ maxLines: 2 }, events.slice(0, 3)),
  known: spec({ maxLines: 1, fails: ['max-lines'] }).success,
  negative: issues(spec({ maxLines: -1 })),
  typo: issues(spec({ maxLines: 1, fails: ['max-linez'] })),
  keys: keys.slice(-3),
  describe: expectProps.maxLines?.description ?? null,
}));
`;

t.test('a check added as its file plus one line in allChecks is accepted by the schema and judged', async (t) => {
  const copy = tempDir('drill-checks-');
  t.teardown(() => fs.rmSync(copy, { recursive: true, force: true }));
  fs.cpSync(path.join(ROOT, 'harness'), path.join(copy, 'harness'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  fs.writeFileSync(path.join(copy, 'package.json'), JSON.stringify({ type: 'module' }));
  fs.copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(copy, 'tsconfig.json'));
  if (process.env.DRILL_TEST_UNDERIVED) {
    // The protection-removed check (see the comment above): the schema's hand lists of main.
    for (const f of ['harness/scenario/schema.ts', 'harness/check/names.ts']) fs.writeFileSync(path.join(copy, f), execFileSync('git', ['show', `main:${f}`], { cwd: ROOT }));
  }
  // The two changes: the check's file, and its line in the list (with its import).
  fs.writeFileSync(path.join(copy, 'harness/check/max-lines.ts'), MAX_LINES);
  const listFile = path.join(copy, 'harness/check/index.ts');
  const list = fs.readFileSync(listFile, 'utf8');
  t.match(list, /\n {2}errorRate,\n\] as const/, 'the list ends with errorRate');
  fs.writeFileSync(listFile, `import { maxLines } from './max-lines.js';\n${list.replace(/\n {2}errorRate,\n/, '\n  errorRate,\n  maxLines,\n')}`);
  fs.writeFileSync(path.join(copy, 'judge.mjs'), JUDGE);

  const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'));
  t.equal(loader.length, 1, 'running under tap\'s TypeScript loader');
  const child = spawn(process.execPath, [...loader, path.join(copy, 'judge.mjs')], { cwd: copy, stdio: ['ignore', 'pipe', 'pipe'] });
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  t.teardown(() => {
    clearTimeout(killTimer);
    child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killTimer);
  t.equal(code, 0, stderr);
  t.same(JSON.parse(stdout), {
    fails: { checks: [['max-lines', 'fail']], verdict: 'fail' },
    passes: { checks: [['max-lines', 'pass']], verdict: 'pass' },
    noExit: { checks: [['max-lines', 'error']], verdict: 'error' },
    known: true,
    negative: ['expect.maxLines too_small'],
    typo: ['expect.fails invalid_union'],
    keys: ['errorRate', 'maxLines', 'fails'],
    describe: 'max-lines: the target printed at most this many lines',
  }, 'its field parses and is validated, expect.fails may name it, the JSON Schema lists it after the last check, and it is judged');
  // The real tree is untouched: `maxLines` is not a field here.
  t.equal(RunSpecSchema.safeParse({ name: 'x', target: { command: 'true' }, expect: { maxLines: 1 } }).success, false);
});
