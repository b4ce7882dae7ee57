// The check registry (check/index.ts allChecks): every check defined in harness/check/ is listed
// once, and the names are the contract's (CONTRACTS.md "Check names", plus `inspect` and issue 16's
// `no-zombies`), in report order.
// Guards: a check file whose check is not in the list. Checked: with `errorRate` removed from
// allChecks, the first case failed naming error-rate.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';
import { allChecks, checkNames } from '../../harness/check/index.js';

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
