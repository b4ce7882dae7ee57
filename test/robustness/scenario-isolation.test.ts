// Issue 11, "Scenario code cannot end, hang or crash the harness" and "bounded, validated input":
// each "Why" bullet as the real CLI sees it. Scenario modules load in an isolated child with a
// deadline (scenario/isolated-load.ts, load-child.ts); validation bounds bytes, depth, durations
// and run counts (scenario/limits.ts, plain.ts, matrix.ts, run/suite.ts planSuite). Every case
// ends with exit 2 and a line naming the file and the field, or (CommonJS) loads and passes.
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { describeSurvivors, killSurvivors, newMark } from '../helpers/oracle.js';
import { readResults, runCli, tempDir, writeFile, type CliResult } from './cli.js';

// The problems the CLI listed (one a line after the "N problems" header).
function problems(res: CliResult): string[] {
  return res.stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('shutdown-drill:'));
}

// Exit 2, a line that matches `line`, no stack trace, no internal error, nothing run.
function assertRejected(t: Test, res: CliResult, line: RegExp, what: string): void {
  t.equal(res.code, 2, `${what}: exit 2 (got ${res.code}${res.signal ? `, ${res.signal}` : ''})\n${res.stderr.slice(0, 2_000)}`);
  t.ok(problems(res).some((l) => line.test(l)), `${what}: a line matches ${line}\n${res.stderr.slice(0, 2_000)}`);
  t.notMatch(res.stderr, /internal error|^\s+at \S+ \(/m, `${what}: no internal error or stack`);
  t.notMatch(res.stdout, /✓|✗|runs:/, `${what}: no run started`);
}

function setup(t: Test, label: string): { dir: string; mark: string; out: string } {
  const mark = newMark(label);
  const dir = tempDir(label);
  t.teardown(() => {
    killSurvivors(mark);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir, mark, out: path.join(dir, 'out') };
}

// A scenario that fails its check (exit code 0 expected, the target exits 3).
const FAILING = "- name: failing\n  target: { command: node, args: ['-e', 'process.exit(3)'] }\n  expect: { exit: { codes: [0] } }\n";

t.test('a module calling process.exit(0) on import, beside a failing scenario: exit 2 naming the file, not exit 0 with no output', async (t) => {
  // Guards: load-child.ts (process.exit throws inside the loader child) and isolated-load.ts.
  // Checked before: `run` exited 0 with empty stdout and no results.json.
  const { dir, mark, out } = setup(t, 'iso-exit');
  writeFile(dir, 'failing.scenario.yaml', FAILING);
  writeFile(dir, 'exits.scenario.mjs', "process.exit(0);\nexport default { name: 'exits', target: { command: 'node' } };\n");
  const res = await runCli(['run', '.', '--out', out], { mark, cwd: dir });
  assertRejected(t, res, /^exits\.scenario\.mjs: cannot import: the scenario module called process\.exit\(0\); a scenario module must not end the process \(at exits\.scenario\.mjs:1:\d+\)$/, 'process.exit(0)');
  t.same(describeSurvivors(mark), []);
});

t.test('a module that ends the loader by other means (process.kill of itself) is named too', async (t) => {
  // Guards: isolated-load.ts (a loader child that dies while a file loads names that file).
  // Checked before: the harness itself was killed by SIGKILL.
  const { dir, mark, out } = setup(t, 'iso-kill');
  writeFile(dir, 'kills.scenario.ts', "const me: number = process.pid;\nprocess.kill(me, 'SIGKILL');\nexport default { name: 'kills', target: { command: 'node' } };\n");
  writeFile(dir, 'failing.scenario.yaml', FAILING);
  const res = await runCli(['run', '.', '--out', out], { mark, cwd: dir });
  assertRejected(t, res, /^kills\.scenario\.ts: ended the scenario loader while loading: it was killed by SIGKILL\. A scenario module must not end the process/, 'process.kill(self)');
  t.same(describeSurvivors(mark), []);
});

t.test('an .mts whose top-level await never settles: exit 2 naming the file after the load deadline', async (t) => {
  // Guards: the per-file deadline in isolated-load.ts. Checked before: `run` exited 0 with no
  // output and no results.json (Node ends a process whose only work is an unsettled await).
  const { dir, mark, out } = setup(t, 'iso-tla');
  writeFile(dir, 'failing.scenario.yaml', FAILING);
  writeFile(dir, 'waits.scenario.mts', "await new Promise<void>(() => {});\nexport default { name: 'waits', target: { command: 'node' } };\n");
  const res = await runCli(['run', '.', '--out', out], { mark, cwd: dir, env: { SHUTDOWN_DRILL_LOAD_TIMEOUT_MS: '1500' } });
  assertRejected(t, res, /^waits\.scenario\.mts: did not finish loading within 1500 ms \(a top-level await that never settles/, 'never-settling await');
  t.notOk(fs.existsSync(path.join(out, 'results.json')), 'no run started, no results.json');
  t.same(describeSurvivors(mark), []);
});

t.test('a module looping forever on import is stopped at the deadline, and its loader with it', async (t) => {
  // Guards: the deadline and the group kill in isolated-load.ts. Checked before: the harness
  // spun at 100% CPU forever (killed by this test's own timeout).
  const { dir, mark, out } = setup(t, 'iso-loop');
  writeFile(dir, 'spins.scenario.js', 'for (;;) {}\n');
  const res = await runCli(['run', '.', '--out', out], { mark, cwd: dir, env: { SHUTDOWN_DRILL_LOAD_TIMEOUT_MS: '1500' }, timeoutMs: 30_000 });
  assertRejected(t, res, /^spins\.scenario\.js: did not finish loading within 1500 ms/, 'busy loop');
  t.same(describeSurvivors(mark), [], 'the loader child was killed');
});

t.test('a throwing getter and a Proxy as the export: exit 2 naming the file and the field, not exit 3 with a stack', async (t) => {
  // Guards: plain.ts toPlain (every value read once; a Proxy or a throwing getter is a problem)
  // and export.ts. Checked before: exit 3, "internal error: Error: boom from a getter" and a stack.
  const { dir, mark, out } = setup(t, 'iso-getter');
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFile(dir, 'getter.scenario.ts', "export default { name: 'getter', get target(): never { throw new Error('boom from a getter'); } };\n");
  writeFile(dir, 'inner-getter.scenario.ts', "export default { name: 'inner', target: { command: 'node', get args(): string[] { throw new TypeError('no args'); } } };\n");
  writeFile(dir, 'proxy.scenario.ts', "export default new Proxy({ name: 'proxy', target: { command: 'node' } }, { ownKeys() { throw new Error('trap'); } });\n");
  writeFile(dir, 'inner-proxy.scenario.ts', "export default { name: 'inner-proxy', target: new Proxy({ command: 'node' }, {}) };\n");
  const res = await runCli(['run', '.', '--out', out], { mark, cwd: dir });
  assertRejected(t, res, /^getter\.scenario\.ts \(scenario "getter"\): target: reading it threw Error: boom from a getter; a scenario must be plain data$/, 'throwing getter');
  assertRejected(t, res, /^inner-getter\.scenario\.ts \(scenario "inner"\): target\.args: reading it threw TypeError: no args; a scenario must be plain data$/, 'inner getter');
  assertRejected(t, res, /^proxy\.scenario\.ts: the default export is a Proxy; export a scenario object/, 'Proxy export');
  assertRejected(t, res, /^inner-proxy\.scenario\.ts \(scenario "inner-proxy"\): target: is a Proxy; a scenario must be plain data/, 'inner Proxy');
  t.equal(problems(res).length, 4, 'one line per file');
});

t.test('a late unhandled rejection from scenario code: exit 2 naming the file, not exit 1 without results.json', async (t) => {
  // Guards: the unhandledRejection handler and the settle window in load-child.ts. Checked
  // before: the harness died with exit 1 ("Error: late boom") and wrote no results.json.
  const { dir, mark, out } = setup(t, 'iso-late');
  writeFile(dir, 'late.scenario.mjs', "setTimeout(() => { Promise.reject(new Error('late boom')); }, 20);\nexport default { name: 'late', target: { command: 'node', args: ['-e', '0'] }, expect: { exit: { codes: [0] } } };\n");
  const res = await runCli(['run', '.', '--out', out], { mark, cwd: dir });
  assertRejected(t, res, /^late\.scenario\.mjs: an unhandled promise rejection: Error: late boom; a scenario module must not leave failing work behind$/, 'late rejection');
  t.same(describeSurvivors(mark), []);
});

t.test('a valid .scenario.ts in a CommonJS package (no "type": "module") loads and runs, functions and all', async (t) => {
  // Guards: the loader child runs with `--import tsx` (ESM and CJS hooks) and unwraps a CJS
  // module's `exports.default`. Checked before: exit 2, "(root): unknown field `default`" and
  // "name: expected string".
  const { dir, mark, out } = setup(t, 'iso-cjs');
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "cjs-app", "version": "1.0.0" }\n');
  writeFile(dir, 'app.js', "process.on('SIGTERM', () => { console.log('bye'); process.exit(0); });\nsetInterval(() => {}, 1000);\nconsole.log('ready');\n");
  writeFile(dir, 'cjs.scenario.ts', `type Signal = 'SIGTERM';
const signals: Signal[] = ['SIGTERM'];
export default {
  name: 'cjs',
  target: { command: 'node', args: ['{dir}/app.js'], ready: { log: '^ready$' } },
  matrix: { signal: signals },
  strike: ({ signal }: { signal: unknown }) => ({ at: { afterReadyMs: 10 }, signal: signal as Signal }),
  expect: { exit: { codes: [0] }, logPresent: ['^bye$'] },
  timeoutMs: 20_000,
};
`);
  const list = await runCli(['list', '.'], { mark, cwd: dir });
  t.equal(list.code, 0, `list exits 0\n${list.stderr}`);
  t.equal(list.stdout, 'cjs[signal=SIGTERM]  cjs.scenario.ts\n1 runs\n');
  const res = await runCli(['run', '.', '--out', out], { mark, cwd: dir });
  t.equal(res.code, 0, `run exits 0\n${res.stderr}`);
  const results = readResults(out);
  t.same(results.runs.map((r) => [r['id'], r['verdict']]), [['cjs[signal=SIGTERM]', 'pass']]);
  t.same(describeSurvivors(mark), []);
});

t.test('a NUL byte in target.command, args, env or cwd: exit 2 naming the field, not a hang deaf to SIGTERM', async (t) => {
  // Guards: limits.ts processText. Checked before: the harness hung (killed by this test's own
  // timeout) for command, env and cwd.
  const { dir, mark, out } = setup(t, 'iso-nul');
  const cases: Array<[string, string, RegExp]> = [
    ['command', '  target: { command: "node\\0", args: ["-e", "0"] }', /^nul\.scenario\.yaml \(scenario "nul"\): target\.command: the text holds a NUL byte \(\\0\) at index 4/],
    ['args', '  target: { command: node, args: ["-e", "0\\0"] }', /^nul\.scenario\.yaml \(scenario "nul"\): target\.args\[1\]: the text holds a NUL byte \(\\0\) at index 1/],
    ['env', '  target: { command: node, args: ["-e", "0"], env: { SECRET_TOKEN: "hunter2\\0x" } }', /^nul\.scenario\.yaml \(scenario "nul"\): target\.env\.SECRET_TOKEN: the value holds a NUL byte \(\\0\) at index 7/],
    ['cwd', '  target: { command: node, args: ["-e", "0"], cwd: "/tmp\\0" }', /^nul\.scenario\.yaml \(scenario "nul"\): target\.cwd: the text holds a NUL byte \(\\0\) at index 4/],
    ['a lone surrogate', '  target: { command: node, args: ["\\uD800"] }', /^nul\.scenario\.yaml \(scenario "nul"\): target\.args\[0\]: the text is not valid Unicode: a lone surrogate at index 0/],
    ['a control character in a command', '  target: { command: "no\\u001bde" }', /^nul\.scenario\.yaml \(scenario "nul"\): target\.command: the text holds the control character \\u001b at index 2/],
  ];
  for (const [what, target, line] of cases) {
    writeFile(dir, 'nul.scenario.yaml', `- name: nul\n${target}\n  timeoutMs: 5000\n`);
    const res = await runCli(['run', 'nul.scenario.yaml', '--out', out], { mark, cwd: dir, timeoutMs: 20_000 });
    assertRejected(t, res, line, what);
    t.notMatch(res.stderr, /hunter2/, `${what}: the env value is not echoed`);
  }
  t.same(describeSurvivors(mark), []);
});

t.test('JSON and YAML nested ~4000 deep: exit 2 naming the file and the depth, not exit 3 with a stack', async (t) => {
  // Guards: the depth limit of plain.ts (64) and load.ts's parse errors. Checked before: JSON gave
  // exit 3 ("RangeError: Maximum call stack size exceeded" and a stack).
  const { dir, mark, out } = setup(t, 'iso-deep');
  const deep = `${'['.repeat(4000)}1${']'.repeat(4000)}`;
  writeFile(dir, 'deep.scenario.json', `{"name": "deep", "target": {"command": "node", "args": ${deep}}}`);
  writeFile(dir, 'deep-matrix.scenario.json', `{"name": "deep-matrix", "target": {"command": "node"}, "matrix": {"x": [${deep}]}}`);
  writeFile(dir, 'deep.scenario.yaml', `name: deep-yaml\ntarget: { command: node }\nmatrix: { x: [${'['.repeat(100)}1${']'.repeat(100)}] }\n`);
  const res = await runCli(['run', '.', '--out', out], { mark, cwd: dir });
  assertRejected(t, res, /^deep\.scenario\.json \(scenario "deep"\): target\.args\[0\]\[0\].*: is nested more than 64 levels deep; a scenario is at most 64 levels deep$/, 'deep JSON');
  assertRejected(t, res, /^deep-matrix\.scenario\.json \(scenario "deep-matrix"\): matrix\.x\[0\].*: is nested more than 64 levels deep/, 'deep JSON matrix');
  assertRejected(t, res, /^deep\.scenario\.yaml \(scenario "deep-yaml"\): matrix\.x\[0\].*: is nested more than 64 levels deep/, 'deep YAML');
});

t.test('durations past the run budget or Node\'s timer limit: exit 2 naming the field', async (t) => {
  // Guards: limits.ts durations() and budget(). Checked before: stillRunning.forMs 2^31 passed
  // after ~10 ms (Node clamps the timer to 1 ms), and afterReadyMs 30000 with timeoutMs 3000
  // was waited out.
  const { dir, mark, out } = setup(t, 'iso-durations');
  writeFile(dir, 'durations.scenario.yaml', `- name: forever
  target: { command: node, args: ['-e', 'setInterval(() => {}, 1000)'] }
  expect: { stillRunning: { forMs: 2147483648 } }
- name: late-strike
  target: { command: node, args: ['-e', 'setInterval(() => {}, 1000)'] }
  strike: { at: { afterSpawnMs: 30000 }, signal: SIGTERM }
  timeoutMs: 3000
- name: steps
  target: { command: node }
  strike: { at: { afterSpawnMs: 10 }, signal: [SIGTERM, { signal: SIGINT, afterMs: 2000 }, { signal: SIGKILL, afterMs: 2000 }] }
  timeoutMs: 3000
`);
  const res = await runCli(['run', '.', '--out', out], { mark, cwd: dir });
  assertRejected(t, res, /^durations\.scenario\.yaml: scenario\[0\] \(scenario "forever"\): expect\.stillRunning\.forMs: must be at most 2147483647 ms \(Node's timer limit, about 24\.8 days\), got 2147483648/, 'forMs 2^31');
  assertRejected(t, res, /^durations\.scenario\.yaml: scenario\[1\] \(scenario "late-strike"\): strike\.at\.afterSpawnMs: the strike waits 30000 ms, not less than the run's budget `timeoutMs` \(3000 ms\)/, 'strike after the budget');
  assertRejected(t, res, /^durations\.scenario\.yaml: scenario\[2\] \(scenario "steps"\): strike\.signal\[2\]\.afterMs: the signal steps wait 4000 ms, not less than the run's budget `timeoutMs` \(3000 ms\)/, 'signal steps after the budget');
  t.ok(res.ms < 20_000, `answered at once (${Math.round(res.ms)} ms)`);
});

t.test('a 10^8-run matrix and --repeat 1e8: exit 2 naming the product, at once and in little memory', async (t) => {
  // Guards: the product check in matrix.ts (before combinations()) and planSuite's repeat cap.
  // Checked before: both grew past 4 GB (killed by this test's timeout or by the OOM killer).
  const { dir, mark, out } = setup(t, 'iso-cap');
  const keys = Array.from({ length: 8 }, (_, i) => `k${i}: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]`).join(', ');
  writeFile(dir, 'huge.scenario.yaml', `name: huge\ntarget: { command: node }\nmatrix: { ${keys} }\n`);
  const huge = await runCli(['run', 'huge.scenario.yaml', '--out', out], { mark, cwd: dir, timeoutMs: 30_000 });
  assertRejected(t, huge, /^huge\.scenario\.yaml \(scenario "huge"\): matrix: 10 x 10 x 10 x 10 x 10 x 10 x 10 x 10 = 100000000 runs, more than the cap of 100000 runs per suite/, '10^8 matrix');
  writeFile(dir, 'ok.scenario.yaml', "- name: ok\n  target: { command: node, args: ['-e', '0'] }\n- name: ok2\n  target: { command: node, args: ['-e', '0'] }\n");
  const repeat = await runCli(['run', 'ok.scenario.yaml', '--repeat', '1e8', '--out', out], { mark, cwd: dir, timeoutMs: 30_000 });
  t.equal(repeat.code, 2, `--repeat 1e8: exit 2\n${repeat.stderr}`);
  t.match(repeat.stderr, /--repeat must be an integer from 1 to 100000 \(the cap of runs per suite\), got 100000000/);
  const product = await runCli(['list', 'ok.scenario.yaml', '--repeat', '60000'], { mark, cwd: dir, timeoutMs: 30_000 });
  t.equal(product.code, 2, `2 runs x --repeat 60000: exit 2\n${product.stderr}`);
  t.match(product.stderr, /2 runs x --repeat 60000 = 120000 runs, more than the cap of 100000 runs per suite/);
  t.ok(huge.ms < 20_000 && repeat.ms < 20_000, `answered at once (${Math.round(huge.ms)} ms, ${Math.round(repeat.ms)} ms)`);
});
