// The bench's command line (bench/run.ts parseArgs): a typo or a stray argument is a usage error
// naming it, never the whole bench run with its defaults; and `--help` prints the usage and runs
// nothing.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { BENCH_USAGE, parseArgs, PHASES } from '../../bench/run.js';

const base = { log: () => {}, signal: new AbortController().signal };

t.test('known flags parse; unknown ones, stray arguments and missing values are errors naming them', async (t) => {
  const o = parseArgs(['--quick', '--only', 'exit,load', '--rounds', '3', '--readme'], base);
  t.same([...o.phases], ['exit', 'load']);
  t.equal(o.rounds, 3);
  t.equal(o.readme, true);
  t.same([...parseArgs([], base).phases], [...PHASES]);
  t.throws(() => parseArgs(['--onyl', 'load'], base), /unknown option "--onyl"; the options are .*--only/);
  t.throws(() => parseArgs(['load'], base), /unknown argument "load"/);
  t.throws(() => parseArgs(['--only'], base), /--only needs a value/);
  t.throws(() => parseArgs(['--rounds', '--quick'], base), /--rounds needs a value/);
  t.throws(() => parseArgs(['--only', 'exit,nope'], base), /--only takes phases from .*got nope/);
});

t.test('the command: a bad flag exits 2 with the usage before measuring anything; --help prints it and exits 0', async (t) => {
  const script = path.resolve(import.meta.dirname, '../../bench/run.ts');
  const bad = spawnSync(process.execPath, [...process.execArgv, script, '--help-me'], { encoding: 'utf8', timeout: 60_000 });
  t.equal(bad.status, 2, bad.stderr);
  t.match(bad.stderr, /bench: unknown option "--help-me"/);
  t.match(bad.stderr, BENCH_USAGE.split('\n')[0]!);
  t.notMatch(bad.stderr, /machine:|floor:/, 'nothing was measured');
  const help = spawnSync(process.execPath, [...process.execArgv, script, '--help'], { encoding: 'utf8', timeout: 60_000 });
  t.equal(help.status, 0, help.stderr);
  t.equal(help.stdout, `${BENCH_USAGE}\n`);
});
