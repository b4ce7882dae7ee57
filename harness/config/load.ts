import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../errors.js';
import { formatIssues } from '../scenario/problems.js';
import { runLimitProblems } from '../scenario/limits.js';
import { shortPath } from '../scenario/plain.js';
import { RunSpecSchema, type RunSpec } from '../scenario/schema.js';
import { ConfigSchema, type ConfigDefaultable, type SuiteConfig } from './schema.js';
import type { ConfigChildMessage } from './load-child.js';

// The names `run` looks for in the cwd, in this order (two of them at once is an error).
export const CONFIG_NAMES = ['shutdown-drill.config.json', 'shutdown-drill.config.ts'] as const;
// How long a shutdown-drill.config.ts may take to load (tsx start included) before it is given up.
const LOAD_TIMEOUT_MS = 20_000;

export interface LoadedConfig {
  // Absolute path of the file the config came from.
  file: string;
  config: SuiteConfig;
}

// The config file for a suite: `explicit` (--config) when given, else the one in `cwd`, else
// none. Throws HarnessError('USAGE') naming the file and the key for a file that is missing,
// unreadable, not valid, or (TS) that exits, hangs or throws while loading.
export async function loadSuiteConfig(cwd: string, explicit?: string): Promise<LoadedConfig | undefined> {
  let file: string;
  if (explicit !== undefined) {
    file = path.resolve(cwd, explicit);
    if (!fs.existsSync(file)) throw new HarnessError('USAGE', `--config ${explicit}: no such file`);
  } else {
    const found = CONFIG_NAMES.map((n) => path.join(cwd, n)).filter((f) => fs.existsSync(f));
    if (found.length > 1) throw new HarnessError('USAGE', `two config files in ${cwd}: ${found.map((f) => path.basename(f)).join(' and ')}; keep one (or pick one with --config FILE)`);
    if (found.length === 0) return undefined;
    file = found[0]!;
  }
  const shown = path.relative(cwd, file) || file;
  let raw: unknown;
  if (/\.json$/.test(file)) {
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new HarnessError('USAGE', `${shown}: not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  } else if (/\.(ts|mts|js|mjs)$/.test(file)) {
    raw = await importIsolated(file, shown);
  } else {
    throw new HarnessError('USAGE', `${shown}: a config file is *.json or *.ts (shutdown-drill.config.json, shutdown-drill.config.ts)`);
  }
  const parsed = ConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const problems = formatIssues(parsed.error.issues, `${shown}: `, raw);
    throw new HarnessError('USAGE', `invalid config file:\n  ${problems.join('\n  ')}`, { problems });
  }
  return { file, config: parsed.data };
}

// Imports a config module in a child process with a deadline; its default export, as plain data.
function importIsolated(file: string, shown: string): Promise<unknown> {
  const own = import.meta.url;
  const entry = new URL(own.endsWith('.ts') ? './load-child.ts' : './load-child.js', own);
  return new Promise((resolve, reject) => {
    const child = fork(entry, [file], { cwd: path.dirname(file), execArgv: ['--import', import.meta.resolve('tsx')], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
    let tail = '';
    const keep = (d: Buffer): void => {
      tail = (tail + d.toString('utf8')).slice(-1_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    let answer: ConfigChildMessage | undefined;
    const kill = (): void => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    process.once('exit', kill);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, LOAD_TIMEOUT_MS);
    child.on('message', (m: ConfigChildMessage) => {
      answer ??= m;
    });
    child.on('error', (error) => {
      answer ??= { type: 'problem', problem: `cannot start the config loader: ${error.message}` };
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      process.removeListener('exit', kill);
      // The whole group: nothing the config started outlives the load.
      kill();
      const last = tail.split('\n').map((l) => l.trim()).filter(Boolean).at(-1);
      const printed = last ? ` (it last printed: ${JSON.stringify(last.slice(0, 200))})` : '';
      if (answer?.type === 'config' && code === 0) return resolve(answer.value);
      const why = answer?.type === 'problem' ? answer.problem
        : timedOut ? `did not finish loading within ${LOAD_TIMEOUT_MS} ms (a top-level await that never settles?)`
          : `ended the config loader (${signal ? `killed by ${signal}` : `exit code ${code}`}) before exporting a config: a config module must not end the process (process.exit, a crash)`;
      reject(new HarnessError('USAGE', `${shown}: ${why}${printed}`));
    });
  });
}

// The config's defaults filled into each run's spec where the scenario left the field unset
// (ExpandedRun.unset), so that spec.json records what was judged. Throws HarnessError('USAGE')
// naming the config file when a filled run breaks a limit (an escalation past the run's timeout).
export function applyConfigDefaults<R extends { name: string; spec: RunSpec; unset?: ConfigDefaultable[] }>(runs: R[], loaded: LoadedConfig | undefined, cwd: string): R[] {
  if (!loaded) return runs;
  const { config } = loaded;
  const shown = path.relative(cwd, loaded.file) || loaded.file;
  const problems: string[] = [];
  const out = runs.map((run) => {
    const unset = new Set(run.unset ?? []);
    const spec = structuredClone(run.spec);
    let changed = false;
    if (config.escalate !== undefined && spec.strike && unset.has('strike.escalate')) {
      spec.strike.escalate = config.escalate;
      changed = true;
    }
    for (const key of ['exit', 'timeToExitMs', 'noEscalation', 'noOrphans'] as const) {
      const value = config.expect?.[key];
      if (value === undefined || !unset.has(`expect.${key}`)) continue;
      (spec.expect as Record<string, unknown>)[key] = value;
      changed = true;
    }
    if (!changed) return run;
    const filled = RunSpecSchema.parse(spec);
    for (const p of runLimitProblems(filled)) problems.push(`${shown}: with its defaults, run "${run.name}": ${shortPath(p.at)}: ${p.message}`);
    return { ...run, spec: filled };
  });
  if (problems.length) throw new HarnessError('USAGE', `the config's defaults do not fit ${problems.length === 1 ? 'a run' : 'some runs'}:\n  ${[...new Set(problems)].slice(0, 20).join('\n  ')}`, { problems });
  return out;
}
