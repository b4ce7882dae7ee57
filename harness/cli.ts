#!/usr/bin/env node
// argv -> command -> exit code. No logic of its own beyond parsing and wiring.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HarnessError, isHarnessError } from './errors.js';
import { diagnose, formatDoctor } from './doctor.js';
import { ExitCode } from './exit-codes.js';
import { toolInfo } from './report/results.js';
import { heartbeatMs } from './report/progress.js';
import { parseShard } from './report/shard.js';
import { Multiplexer } from './report/reporter.js';
import { createReporters, reporterHelp, selectReporters } from './report/reporters/index.js';
import { configureRedaction, REDACT_NAME, redactWrites } from './redact.js';
import { executedRuns } from './report/results.js';
import { planSuiteWithShard, runSuite } from './run/suite.js';
import { scenarioJsonSchema } from './scenario/json-schema.js';
import { compileUserRegex } from './scenario/regex.js';
import { commandsExtra, selectShardPlans } from './cli-extra.js';
import { configRecord, reportersEnabled, requireScenariosFolder } from './config/cli.js';
import { loadSuiteConfig } from './config/load.js';
import { init } from './init/command.js';
import { SWEEP_OPTIONS, sweepFlags } from './sweep/cli-flags.js';
import { applySweepFlags } from './sweep/plans.js';

const USAGE = () => `Usage:
  shutdown-drill run [paths|globs...] [--out DIR] [--grep RE] [--repeat N] [--seed S]
                     [--concurrency N] [--bail] [--shard K/N] [--baseline FILE] [--max-slowdown PCT]
                     [--redact NAME]... [--no-sweep] [--pass-with-no-runs] [--allow-missing] [--config FILE]
                     [--tag T]... [--exclude-tag T]... [--retries N] [--fail-on-flaky]
                     [--reporter NAME[=FILE][,NAME...]]...
  shutdown-drill list [paths...] [--grep RE] [--tag T]... [--exclude-tag T]...
  shutdown-drill init [--command CMD] [--port N | --http PATH | --log RE] [--yaml | --ts] [--name NAME] [--force]
                                   write scenarios/<name>.scenario.<ext> for your app (asks on a TTY)
  shutdown-drill sweep [paths...] [--from-ms N] [--to-ms N] [--resolution-ms N] [--repeats K]
                     [--max-runs N] [--anchor ready|spawn|firstResponse|log:RE] [--at-ms N]
                     (and run's --out, --grep, --seed, --concurrency, ...): find the strike
                     moments where shutdown breaks
  shutdown-drill compare BASE CURRENT [--max-slowdown PCT] [--out DIR] [--allow-missing] [--explain]
  shutdown-drill merge DIR... [--out DIR] [--allow-missing-shards] [--allow-foreign-shards] [--reporter ...] [--config FILE]
  shutdown-drill report DIR [--reporter ...] [--config FILE]
  shutdown-drill schema            print the JSON Schema of *.scenario.yaml/json files
  shutdown-drill doctor            what this machine offers (containment, browser, PID namespaces...) and the fixes
  shutdown-drill --version

With no paths, run and list use scenarios/. The default out dir is reports/latest.
run reads suite defaults from shutdown-drill.config.json or .ts in the cwd (--config FILE to name one).
Exit codes: 0 every run as expected (passed, or a known failure marked by expect.fails),
1 an unexpected run (a check failed, an error, a marked run that now passes) or a regression,
2 bad usage or invalid scenario, 3 internal error, 130/143 interrupted by SIGINT/SIGTERM.
--tag selects runs with any of the tags, --exclude-tag drops runs with any of them. --retries N runs an
unexpected run again up to N times: a later expected attempt makes it flaky, which passes unless
--fail-on-flaky.
Gates fail closed (exit 1): a run that executes nothing (--pass-with-no-runs), compare with a base
scenario missing from current (--allow-missing), merge with a lost shard (--allow-missing-shards).
A reporter that fails (throws, or cannot write its file) is named on stderr; the runs and the other
reporters go on, and the exit code is at least 1.

${reporterHelp()}
merge and report write the file reporters (no console reporter unless named); the config's
\`reporters\` toggles apply to run, sweep, merge and report; a --reporter flag wins over them.`;

// Parses an integer option, naming it in the error.
function intOption(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new HarnessError('USAGE', `--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE()}\n`);
    return command ? ExitCode.passed : ExitCode.usage;
  }
  if (command === '--version' || command === '-V' || command === 'version') {
    const tool = toolInfo();
    process.stdout.write(`${tool.name} ${tool.version}\n`);
    return ExitCode.passed;
  }
  if (command === 'doctor') {
    const { text, ok } = formatDoctor(await diagnose());
    process.stdout.write(text);
    return ok ? ExitCode.passed : ExitCode.failed;
  }
  if (command === 'schema') {
    process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
    return ExitCode.passed;
  }
  if (command === 'run' || command === 'list' || command === 'sweep') return runOrList(command, rest);
  if (command === 'init') return init(rest);
  const extra = commandsExtra[command];
  if (extra) return extra(rest);
  throw new HarnessError('USAGE', `unknown command "${command}"\n\n${USAGE()}`);
}

async function runOrList(command: 'run' | 'list' | 'sweep', rest: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string' }, grep: { type: 'string' }, repeat: { type: 'string' }, seed: { type: 'string' },
      concurrency: { type: 'string' }, bail: { type: 'boolean' }, shard: { type: 'string' }, baseline: { type: 'string' },
      'max-slowdown': { type: 'string' }, redact: { type: 'string', multiple: true }, 'no-sweep': { type: 'boolean' },
      'pass-with-no-runs': { type: 'boolean' }, 'allow-missing': { type: 'boolean' }, config: { type: 'string' },
      tag: { type: 'string', multiple: true }, 'exclude-tag': { type: 'string', multiple: true },
      retries: { type: 'string' }, 'fail-on-flaky': { type: 'boolean' }, reporter: { type: 'string', multiple: true },
      ...(command === 'sweep' ? SWEEP_OPTIONS : {}),
    },
  });
  const cwd = process.cwd();
  const config = await loadSuiteConfig(cwd, values.config);
  // Linear-time (RE2) like every user pattern; exit 2 naming --grep when RE2 cannot compile it.
  const grep = values.grep === undefined ? undefined : compileUserRegex(values.grep, '--grep', 'USAGE');
  const repeat = intOption('repeat', values.repeat, 1, 1);
  const seed = values.seed === undefined ? undefined : intOption('seed', values.seed, 0, 0);
  const concurrency = intOption('concurrency', values.concurrency, config?.config.concurrency ?? 1, 1);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  const retries = intOption('retries', values.retries, 0, 0);
  if (retries > MAX_RETRIES) throw new HarnessError('USAGE', `--retries must be an integer from 0 to ${MAX_RETRIES}, got "${values.retries}"`);
  const tags = tagOption('tag', values.tag);
  const excludeTags = tagOption('exclude-tag', values['exclude-tag']);
  // Checked before anything is planned: a bad --reporter exits 2 naming the valid ones.
  const reporterChoices = selectReporters(values.reporter, { enabled: reportersEnabled(config), console: true });
  const paths = positionals.length ? positionals : ['scenarios'];
  if (!positionals.length) requireScenariosFolder(cwd);
  const { plans: planned, shard: shardIdentity } = await planSuiteWithShard({ paths, cwd, repeat, tags, excludeTags, ...(config ? { config } : {}), ...(grep ? { grep } : {}), ...(seed !== undefined ? { seed } : {}), ...(shard ? { shard, selectShard: selectShardPlans } : {}) });
  const plans = command === 'sweep' ? applySweepFlags(planned, sweepFlags(values)) : planned;

  if (command === 'list') {
    for (const p of plans) process.stdout.write(`${p.id}  ${path.relative(cwd, path.resolve(cwd, p.file))}\n`);
    process.stdout.write(`${plans.length} runs\n`);
    return ExitCode.passed;
  }
  // Secret-looking env values (and those named by --redact) never reach an artifact.
  const redactNames = values.redact ?? [];
  const badName = redactNames.find((n) => !REDACT_NAME.test(n));
  if (badName !== undefined) throw new HarnessError('USAGE', `--redact must name an environment variable (letters, digits, _), got "${badName}"`);
  const redaction = configureRedaction({ names: redactNames, envs: [process.env, ...plans.flatMap((p) => [p.spec.target.env, ...p.spec.services.map((s) => s.env)])],
    argvs: [process.argv, ...plans.flatMap((p) => [[p.spec.target.command, ...p.spec.target.args], ...p.spec.services.map((s) => [s.command, ...s.args])])] });
  for (const w of redaction.warnings) process.stderr.write(`warning: ${w}\n`);
  redactWrites(process.stdout);
  redactWrites(process.stderr);
  const passWithNoRuns = values['pass-with-no-runs'] === true;

  const outDir = values.out !== undefined ? path.resolve(cwd, values.out) : config?.config.out !== undefined ? path.resolve(path.dirname(config.file), config.config.out) : path.resolve(cwd, 'reports/latest');
  const interrupt = new AbortController();
  const force = new AbortController();
  let got: NodeJS.Signals | undefined;
  let firstAt = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    const t = performance.now();
    if (!got) {
      got = sig;
      firstAt = t;
      interrupt.abort();
      process.stderr.write(`\n${sig}: stopping: no new runs; ending targets (${sig === 'SIGINT' ? 'Ctrl+C' : sig} again to kill them at once)\n`);
      return;
    }
    // npm and some terminals deliver one Ctrl+C twice in a row: ignore a repeat within 200 ms.
    if (t - firstAt < 200) return;
    force.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const reporter = new Multiplexer(createReporters(reporterChoices, { cwd, stdout: process.stdout, env: process.env, heartbeatMs: heartbeatMs() }));
  const results = await runSuite({
    paths, cwd, outDir, repeat, concurrency, bail: Boolean(values.bail), signal: interrupt.signal, force: force.signal,
    ...(grep ? { grep } : {}), ...(seed !== undefined ? { seed } : {}),
    reporter, retries, failOnFlaky: values['fail-on-flaky'] === true,
    onStale: (stale) => process.stderr.write(`warning: killed ${stale.length} process(es) left by an earlier harness that died: ${stale.map((s) => s.pid).join(', ')}\n`),
    sweep: values['no-sweep'] !== true,
    onContainment: (c) => {
      if (c.level === 'marker') process.stderr.write(`warning: containment: marker (no kernel container: ${c.downgrade.join('; ') || 'forced'}): a process that leaves the process group and drops SHUTDOWN_DRILL_RUN can escape no-orphans; run as root on Linux for a cgroup\n`);
    },
    passWithNoRuns, ...(shardIdentity ? { shardIdentity } : {}),
    recordOptions: { argv: [command, ...rest], repeat, concurrency, seed: seed ?? null, grep: grep?.source ?? null, shard: values.shard ?? null, retries, tags, excludeTags, ...(config ? { config: configRecord(config, cwd) } : {}) },
  }, plans);
  // Fail closed: a suite that executed nothing proves nothing (jest's --passWithNoTests).
  if (!got && executedRuns(results.runs) === 0) {
    const why = plans.length === 0
      ? `no run matches${grep ? ` --grep ${grep.source}` : ''}${tags.length ? ` --tag ${tags.join(' --tag ')}` : ''}${excludeTags.length ? ` --exclude-tag ${excludeTags.join(' --exclude-tag ')}` : ''}${shard ? ` in shard ${shard.index}/${shard.total}` : ''} in ${paths.join(' ')}`
      : `all ${plans.length} planned run(s) were skipped (${results.runs[0]?.reason ?? 'skipped'})`;
    process.stderr.write(passWithNoRuns ? `note: no run executed: ${why}; passing because of --pass-with-no-runs\n` : `shutdown-drill: no run executed: ${why}; a suite that ran nothing does not pass: fix the selection, or pass --pass-with-no-runs to allow it\n`);
  }
  // Fail closed: a report a gate may read is missing or incomplete (the reporter said why on stderr).
  let code: number = results.status === 'passed' && !reporter.failed.length ? ExitCode.passed : ExitCode.failed;
  if (values.baseline && !got) {
    code = Math.max(code, await commandsExtra['compare']!([values.baseline, outDir, ...(values['max-slowdown'] ? ['--max-slowdown', values['max-slowdown']] : []), ...(values['allow-missing'] ? ['--allow-missing'] : [])]));
  }
  if (got) code = got === 'SIGINT' ? ExitCode.sigint : ExitCode.sigterm;
  return code;
}

// At most this many retries per run (each retry is a whole run again).
const MAX_RETRIES = 10;

// The values of a repeatable tag option, each a non-empty tag.
function tagOption(name: string, values: string[] | undefined): string[] {
  const bad = (values ?? []).find((v) => v.trim() === '');
  if (bad !== undefined) throw new HarnessError('USAGE', `--${name} must name a tag (as in a scenario's \`tags:\`), got an empty string`);
  return values ?? [];
}

// A closed pipe (`shutdown-drill list | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Every handle should be closed by now; if one leaked, do not hang CI over it.
    setTimeout(() => process.exit(code), 3_000).unref();
  },
  (error: unknown) => {
    if (isHarnessError(error) && (error.code === 'USAGE' || error.code === 'SCENARIO_INVALID' || error.code === 'SCENARIO_LOAD_FAILED' || error.code === 'SCENARIO_NOT_FOUND' || error.code === 'OUT_DIR_UNWRITABLE' || error.code === 'OUT_DIR_UNSAFE' || error.code === 'OUT_DIR_LOCKED' || error.code === 'RESULTS_INVALID')) {
      process.stderr.write(`shutdown-drill: ${error.message}\n`);
      process.exitCode = ExitCode.usage;
    } else if (isHarnessError(error, 'OUTPUT_WRITE_FAILED')) {
      // The machine, not the input: a full disk or a denied write. Said plainly, no stack.
      process.stderr.write(`shutdown-drill: ${error.message}\n`);
      process.exitCode = ExitCode.internal;
    } else if (error instanceof Error && 'code' in error && String((error as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`shutdown-drill: ${error.message}\n\n${USAGE()}\n`);
      process.exitCode = ExitCode.usage;
    } else {
      process.stderr.write(`shutdown-drill: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = ExitCode.internal;
    }
  },
);
