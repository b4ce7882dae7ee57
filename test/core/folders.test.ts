// The folder rules of harness/ (harness/README.md, checked by dependency-cruiser with
// .dependency-cruiser.cjs): history/ imports nothing above it; check/ and metrics/ import only
// history/, the scenario types and the base; report/ never imports run/; no import cycle.
// Guards: the rules file. Checked: with the `no-cycles` rule removed from .dependency-cruiser.cjs,
// the planted case failed (its cycle went unreported); with the check/metrics `pathNot` widened to
// '^harness/', the planted check and metrics violations went unreported and it failed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const depcruise = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation { from: string; to: string; rule: { name: string } }
interface Cruise { summary: { violations: Violation[]; error: number; totalCruised: number }; modules: { source: string }[] }

// Runs dependency-cruiser over `dir`/harness with the project's rules, as `npm test` does.
function cruise(dir: string): { status: number | null; result: Cruise } {
  const r = spawnSync(process.execPath, [depcruise, 'harness', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd: dir, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  if (!r.stdout.trim()) throw new Error(`depcruise printed nothing (exit ${r.status}): ${r.stderr}`);
  return { status: r.status, result: JSON.parse(r.stdout) as Cruise };
}

function sourceFiles(dir: string, rel = 'harness'): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((d) => {
    const p = `${rel}/${d.name}`;
    if (d.isDirectory()) return sourceFiles(dir, p);
    return /\.(ts|js|mjs)$/.test(d.name) ? [p] : [];
  });
}

t.test('harness/ keeps the folder rules and has no import cycle', async (t) => {
  const { status, result } = cruise(root);
  t.same(result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`), []);
  t.equal(result.summary.error, 0);
  t.equal(status, 0);
  // Every source file was cruised (a file left out would escape every rule).
  const cruised = new Set(result.modules.map((m) => m.source));
  t.same(sourceFiles(root).filter((f) => !cruised.has(f)), []);
});

t.test('a planted import across each rule is reported, by rule and file', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'folders-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.cpSync(path.join(root, 'harness'), path.join(dir, 'harness'), { recursive: true });
  for (const f of ['.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) fs.copyFileSync(path.join(root, f), path.join(dir, f));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const plant = (file: string, text: string): void => fs.writeFileSync(path.join(dir, 'harness', file), text);
  plant('history/planted.ts', "import type { RunResult } from '../report/types.js';\nexport type X = RunResult;\n");
  plant('check/planted.ts', "import type { LoadDriver } from '../load/types.js';\nimport type { RunMetrics } from '../metrics/types.js';\nexport type X = LoadDriver | RunMetrics;\n");
  plant('metrics/planted.ts', "import { exitText } from '../check/evidence.js';\nexport const x = exitText;\n");
  plant('report/planted.ts', "import type { RunPlan } from '../run/plan.js';\nexport type X = RunPlan;\n");
  plant('load/planted-a.ts', "import type { B } from './planted-b.js';\nexport type A = B | 1;\n");
  plant('load/planted-b.ts', "import type { A } from './planted-a.js';\nexport type B = A | 2;\n");
  plant('observe/planted.ts', "import { gone } from './no-such-file.js';\nexport const x = gone;\n");
  fs.appendFileSync(path.join(dir, 'harness/clock.ts'), "import type { HistoryEvent } from './history/events.js';\nexport type Planted = HistoryEvent;\n");

  const { result } = cruise(dir);
  const got = [...new Set(result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`))].sort();
  t.same(got, [
    'base-imports-only-base: harness/clock.ts -> harness/history/events.ts',
    'check-and-metrics-are-pure: harness/check/planted.ts -> harness/load/types.ts',
    'check-and-metrics-are-pure: harness/check/planted.ts -> harness/metrics/types.ts',
    'check-and-metrics-are-pure: harness/metrics/planted.ts -> harness/check/evidence.ts',
    'history-imports-nothing-above: harness/history/planted.ts -> harness/report/types.ts',
    'imports-resolve: harness/observe/planted.ts -> ./no-such-file.js',
    'no-cycles: harness/load/planted-a.ts -> harness/load/planted-b.ts',
    'report-never-imports-run: harness/report/planted.ts -> harness/run/plan.ts',
  ].sort());
  t.equal(result.summary.error, 8);
});
