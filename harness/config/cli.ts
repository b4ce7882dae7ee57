import fs from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../errors.js';
import type { LoadedConfig } from './load.js';

// The config's `reporters` keys, by reporter name (report/reporters/index.ts).
const REPORTER_KEYS: Record<string, 'junit' | 'html' | 'githubSummary'> = { junit: 'junit', html: 'html', github: 'githubSummary' };

// Which default reporters the config leaves on (all when it names none; a reporter without a key
// is always left on). A --reporter flag wins over it.
export function reportersEnabled(loaded: LoadedConfig | undefined): (name: string) => boolean {
  const reporters = loaded?.config.reporters;
  return (name) => {
    const key = REPORTER_KEYS[name];
    return !reporters || !key || reporters[key];
  };
}

// What results.json records of the config: its file and the resolved defaults.
export function configRecord(loaded: LoadedConfig, cwd: string): Record<string, unknown> {
  return { file: path.relative(cwd, loaded.file) || loaded.file, ...loaded.config };
}

// A plain `run` (no paths) in a project without scenarios/: say how to start, exit 2.
export function requireScenariosFolder(cwd: string): void {
  if (fs.existsSync(path.join(cwd, 'scenarios'))) return;
  throw new HarnessError('SCENARIO_NOT_FOUND', `no scenarios/ folder in ${cwd}: create a first scenario for your app with \`npx shutdown-drill init\` (it writes scenarios/<name>.scenario.yaml), or name scenario files: \`shutdown-drill run path/to/x.scenario.yaml\``);
}
