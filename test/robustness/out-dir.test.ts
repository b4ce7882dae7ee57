// Issue 10 item 5, "only its own": `run` replaces the runs/ folder of its --out, so --out must be a
// folder of the harness's own. `/`, the home dir, the working dir, an ancestor of it or of a
// scenario path, and a non-empty folder shutdown-drill did not create exit 2 and delete nothing;
// a second harness on a busy --out exits 2 naming the first one's pid; a dead holder's lock is
// replaced.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES, killSurvivors, newMark, runCli, startCli, tempDir } from '../helpers/cli.js';

const T = path.join(FIXTURES, 'targets');
const mark = newMark('out-dir');
const roots: string[] = [];
t.teardown(() => {
  killSurvivors(mark);
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

const scenario = (name: string, strikeMs = 0): string => `
- name: ${name}
  target: { command: node, args: ['${T}/graceful.mjs'], ready: { log: '^ready' } }
  strike: { at: { afterReadyMs: ${strikeMs} }, signal: SIGTERM }
  timeoutMs: 60000
  expect: { exit: { codes: [0] } }
`;

// A working dir holding scenarios/ and a runs/ folder of the user's own, a fake home beside it, and
// a non-empty folder of someone else's.
function workspace(): { root: string; cwd: string; home: string; foreign: string; keep: string[] } {
  const root = tempDir('drill-outdir-');
  roots.push(root);
  const cwd = path.join(root, 'work');
  const home = path.join(root, 'home');
  const foreign = path.join(root, 'foreign');
  const keep: string[] = [];
  for (const dir of [cwd, path.join(cwd, 'scenarios'), home, foreign]) {
    fs.mkdirSync(path.join(dir, 'runs'), { recursive: true });
    const file = path.join(dir, 'runs', 'keep.txt');
    fs.writeFileSync(file, 'mine');
    keep.push(file);
  }
  fs.writeFileSync(path.join(cwd, 'scenarios', 'a.scenario.yaml'), scenario('a'));
  fs.writeFileSync(path.join(foreign, 'notes.txt'), 'not a shutdown-drill folder');
  return { root, cwd, home, foreign, keep };
}

t.test('unsafe --out folders exit 2 naming the folder and the fix, and delete nothing', async (t) => {
  const w = workspace();
  const rootHad = ['runs', 'results.json', '.shutdown-drill-out'].map((f) => fs.existsSync(path.join('/', f)));
  const cases: Array<[string, string, RegExp]> = [
    ['/', '/', /--out \/: is the root of the file system; .*pass a new or empty folder/],
    ['.', '.', /--out \/\S+\/work: is the working directory; /],
    ['the scenarios folder', 'scenarios', /--out \/\S+\/work\/scenarios: holds the scenario path scenarios; /],
    ['an ancestor of the working dir', w.root, /: is an ancestor of the working directory /],
    ['the home dir', w.home, /: is your home directory; /],
    ['a non-empty folder shutdown-drill did not create', w.foreign, /: is a non-empty folder that shutdown-drill did not create \(no \.shutdown-drill-out in it; it holds /],
  ];
  for (const [what, out, message] of cases) {
    const r = await runCli(['run', 'scenarios', '--out', out], { mark, cwd: w.cwd, env: { HOME: w.home } });
    t.equal(r.code, 2, `${what}: exit 2\n${r.stderr}`);
    t.match(r.stderr, message, `${what}: says why`);
    t.notMatch(r.stdout, /runs:/, `${what}: nothing ran`);
    for (const file of w.keep) t.equal(fs.readFileSync(file, 'utf8'), 'mine', `${what}: ${path.relative(w.root, file)} kept`);
  }
  for (const dir of [w.cwd, path.join(w.cwd, 'scenarios'), w.home, w.foreign, w.root]) {
    t.notOk(fs.existsSync(path.join(dir, 'results.json')), `no results.json written into ${path.relative(w.root, dir) || '.'}`);
    t.notOk(fs.existsSync(path.join(dir, '.shutdown-drill-out')), `${path.relative(w.root, dir) || '.'} not marked`);
  }
  t.same(['runs', 'results.json', '.shutdown-drill-out'].map((f) => fs.existsSync(path.join('/', f))), rootHad, '/ untouched');
});

t.test('a new folder, an own (marked) folder and a legacy shutdown-drill folder are accepted', async (t) => {
  const w = workspace();
  const fresh = path.join(w.root, 'fresh', 'out');
  const first = await runCli(['run', 'scenarios', '--out', fresh], { mark, cwd: w.cwd });
  t.equal(first.code, 0, first.stderr);
  t.ok(fs.existsSync(path.join(fresh, '.shutdown-drill-out')), 'marked as ours');
  t.notOk(fs.existsSync(path.join(fresh, '.shutdown-drill-lock')), 'lock released at the end');
  const again = await runCli(['run', 'scenarios', '--out', fresh], { mark, cwd: w.cwd });
  t.equal(again.code, 0, again.stderr);

  // An out dir written before the marker existed: its results.json names shutdown-drill.
  const legacy = path.join(w.root, 'legacy');
  fs.mkdirSync(path.join(legacy, 'runs', 'old-run'), { recursive: true });
  fs.writeFileSync(path.join(legacy, 'results.json'), JSON.stringify({ schemaVersion: 1, tool: { name: 'shutdown-drill', version: '0.0.1' }, status: 'passed', runs: [] }));
  const adopted = await runCli(['run', 'scenarios', '--out', legacy], { mark, cwd: w.cwd, outDir: legacy });
  t.equal(adopted.code, 0, adopted.stderr);
  t.ok(fs.existsSync(path.join(legacy, '.shutdown-drill-out')), 'adopted and marked');
  t.notOk(fs.existsSync(path.join(legacy, 'runs', 'old-run')), 'the old runs replaced');
  t.same(adopted.results!.runs.map((r) => r.id), ['a']);
});

// Resolves when a run of the out dir has logged that its target is ready (the harness is mid-run).
async function runUnderWay(outDir: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      for (const d of fs.readdirSync(path.join(outDir, 'runs'))) {
        if (fs.readFileSync(path.join(outDir, 'runs', d, 'events.jsonl'), 'utf8').includes('"type":"target:ready"')) return;
      }
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`no run of ${outDir} got ready in time`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('a second harness on the same --out exits 2 naming the first one\'s pid; a dead holder\'s lock is replaced', async (t) => {
  const w = workspace();
  const slow = path.join(w.root, 'slow.scenario.yaml');
  fs.writeFileSync(slow, scenario('slow', 30_000));
  const quick = path.join(w.root, 'quick.scenario.yaml');
  fs.writeFileSync(quick, scenario('quick'));
  const out = path.join(w.root, 'shared-out');
  const first = startCli(['run', slow, '--out', out], { mark, outDir: out });
  await runUnderWay(out);
  const historiesBefore = fs.readdirSync(path.join(out, 'runs'));
  const second = await runCli(['run', quick, '--out', out], { mark, outDir: out });
  t.equal(second.code, 2, second.stderr);
  t.match(second.stderr, new RegExp(`--out ${out} is in use by another shutdown-drill \\(pid ${first.child.pid}; lock .*\\.shutdown-drill-lock\\); wait for it to end or pass another --out DIR`));
  t.same(fs.readdirSync(path.join(out, 'runs')), historiesBefore, 'the first harness\'s histories are untouched');
  t.equal(JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')).status, 'running', 'its results.json too');

  // The holder dies without releasing the lock: the next harness replaces it.
  first.child.kill('SIGKILL');
  await first.done;
  t.ok(fs.existsSync(path.join(out, '.shutdown-drill-lock')), 'the dead harness left its lock');
  const third = await runCli(['run', quick, '--out', out], { mark, outDir: out });
  t.equal(third.code, 0, third.stderr);
  t.same(third.results!.runs.map((r) => r.id), ['quick']);
  t.notOk(fs.existsSync(path.join(out, '.shutdown-drill-lock')), 'released');

  // A lock naming a live pid with another start time (the pid was reused) holds nothing either.
  fs.writeFileSync(path.join(out, '.shutdown-drill-lock'), JSON.stringify({ pid: process.pid, start: 1, hostname: os.hostname(), token: 'x' }));
  const reused = await runCli(['run', quick, '--out', out], { mark, outDir: out });
  t.equal(reused.code, 0, reused.stderr);
});
