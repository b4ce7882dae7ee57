// Issue 15, item 6: the published package holds the harness and the report's assets, and its
// runtime dependencies are only what the harness itself needs (better-sqlite3 serves the todo
// sample target only: a development dependency).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/cli.js';

t.test('npm pack ships the built harness and the report assets, not the samples, tests or benchmarks', async (t) => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const files = (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  for (const f of ['dist/harness/cli.js', 'dist/harness/index.js', 'dist/harness/index.d.ts', 'dist/harness/target/reaper-main.js', 'dist/harness/inject/striker-entry.js',
    'dist/harness/scenario/load-child.js', 'dist/harness/report/html/shared.js', 'dist/harness/report/html/client.js', 'dist/harness/report/html/sweep-client.js',
    'dist/harness/report/html/compare-client.js', 'harness/report/html/styles.css', 'package.json', 'README.md']) {
    t.ok(files.includes(f), `ships ${f}`);
  }
  for (const prefix of ['targets/', 'test/', 'bench/', 'scenarios/', 'dist/bench/', 'reports/']) {
    t.same(files.filter((f) => f.startsWith(prefix)), [], `ships nothing under ${prefix}`);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  t.notOk('better-sqlite3' in pkg.dependencies, 'better-sqlite3 is not a runtime dependency');
  t.ok('better-sqlite3' in pkg.devDependencies, 'the todo sample target still gets it in this repository');
});
