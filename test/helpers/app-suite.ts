import fs from 'node:fs';
import path from 'node:path';
import { newMark, runCli, survivors, tempDir } from './cli.js';

// Writes `app` to a temp app.js and `yaml` (APP standing for that file) as a scenario file, runs
// it through the CLI, asserts that no process of it is left, and returns the runs by id.
export async function runAppSuite<R extends { id: string }>(t: Tap.Test, name: string, app: string, yaml: string): Promise<{ runs: Map<string, R>; outDir: string }> {
  const mark = newMark(name);
  const dir = tempDir(`${name}-`);
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const appFile = path.join(dir, 'app.js');
  fs.writeFileSync(appFile, app);
  const file = path.join(dir, `${name}.scenario.yaml`);
  fs.writeFileSync(file, yaml.replaceAll('APP', appFile));
  const outDir = path.join(dir, 'out');
  const r = await runCli(['run', file], { mark, outDir });
  t.same(survivors(mark), [], 'nothing is left');
  const runs = new Map<string, R>();
  for (const run of (r.results?.runs ?? []) as unknown as R[]) runs.set(run.id, run);
  if (runs.size === 0) t.fail(`no results: ${r.stderr}`);
  return { runs, outDir };
}
