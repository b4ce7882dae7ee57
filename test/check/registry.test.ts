// The check registry (check/index.ts allChecks): every check defined in harness/check/ is listed
// once, and the names are the contract's (CONTRACTS.md "Check names", plus `inspect` and issue 16's
// `no-zombies`), in report order.
// Guards: a check file whose check is not in the list. Checked: with `errorRate` removed from
// allChecks, the first case failed naming error-rate.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';
import { allChecks, checkNames } from '../../harness/check/index.js';
import { RunSpecSchema } from '../../harness/scenario/schema.js';
import { addToList, copyHarness, ROOT, runInCopy } from '../helpers/harness-copy.js';

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
// Checked (DRILL_TEST_UNDERIVED=1): with the copy's scenario/schema.ts and check/names.ts put back as
// the hand lists of c97502d (before the lists derived), this case fails (`maxLines` an unknown key, `max-lines` not a
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
  const copy = copyHarness(t, 'drill-checks-');
  if (process.env.DRILL_TEST_UNDERIVED) {
    // The protection-removed check (see the comment above): the schema's hand lists as they were before the registry (c97502d).
    for (const f of ['harness/scenario/schema.ts', 'harness/check/names.ts']) fs.writeFileSync(path.join(copy, f), execFileSync('git', ['show', `c97502d:${f}`], { cwd: ROOT }));
  }
  // The two changes: the check's file, and its line in the list (with its import).
  fs.writeFileSync(path.join(copy, 'harness/check/max-lines.ts'), MAX_LINES);
  addToList(t, path.join(copy, 'harness/check/index.ts'), 'errorRate', 'maxLines', "import { maxLines } from './max-lines.js';", /\n {2}errorRate,\n\] as const/);
  fs.writeFileSync(path.join(copy, 'judge.mjs'), JUDGE);
  const { code, stdout, stderr } = await runInCopy(t, copy, 'judge.mjs');
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
