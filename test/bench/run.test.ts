import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { FIGURE_KEYS } from '../../bench/figures.js';
import { SESSION } from '../../bench/procs.js';
import { QUICK, runBench, type Phase } from '../../bench/run.js';
import { findMarked } from '../../harness/target/tree.js';

// A smoke of the bench runner with very few rounds: every figure is in latest.json with the
// contract's shape, and nothing the bench started is left. (Speed targets are not asserted.)
t.test('bench runner writes every figure with the contract shape', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-run-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'latest.json');
  const phases: Phase[] = ['exit', 'strike', 'load', 'tree', 'ws'];
  const lines: string[] = [];
  const result = await runBench({
    ...QUICK, phases: new Set(phases), out, binDir: path.join(dir, 'bin'), reaper: false,
    log: (l) => void lines.push(l), signal: new AbortController().signal,
  });

  const json = JSON.parse(fs.readFileSync(out, 'utf8'));
  t.same(json, JSON.parse(JSON.stringify(result)), 'latest.json is what runBench returned');
  t.same(Object.keys(json.figures).sort(), [...FIGURE_KEYS].sort(), 'every figure key is present');
  for (const key of FIGURE_KEYS) {
    const f = json.figures[key];
    t.ok(f.value === null || typeof f.value === 'number', `${key}.value is a number or null`);
    t.type(f.unit, 'string', `${key}.unit`);
    t.type(f.goal, 'number', `${key}.goal`);
    if (f.floor !== undefined) t.type(f.floor, 'number', `${key}.floor`);
    if (f.peer !== undefined) t.type(f.peer, 'number', `${key}.peer`);
    if (f.value === null) t.match(f.note, /not available/, `${key} says why it has no value`);
  }
  // The phases that ran measured something; the one left out says so.
  for (const key of ['exitDetectOverheadP50Ms', 'perRunOverheadP50Ms', 'strikeLatenessP99IdleMs', 'strikeLatenessP99LoadMs', 'treeKillP95Ms'] as const) {
    t.type(json.figures[key].value, 'number', `${key} was measured (${json.figures[key].note ?? ''})`);
  }
  t.equal(json.figures.wsClientsHeld.value, QUICK.wsClients, 'every ws client was closed with 1001');
  t.equal(json.figures.treeKillP95Ms.detail.killTreeSurvivors, 0, 'killTree left no survivor');
  t.equal(json.figures.treeKillP95Ms.detail.groupKillSurvivors, QUICK.rounds * QUICK.treeBatch, 'a group kill misses the escapee');
  t.match(json.figures.report1000Ms.note, /not available: its phase was not selected/);
  t.match(json.machine, { cpus: Number, node: String, processes: Number });
  if (process.platform === 'linux') t.ok(json.machine.stealPct >= 0 && json.machine.stealPct <= 100, `the host's steal over the run is recorded (${json.machine.stealPct} %)`);
  t.type(json.rounds.count, 'number');
  t.type(json.rounds.samples['exit.harness'].median, 'number');
  t.same(json.leftovers, [], 'no process left');
  t.same(findMarked(SESSION).map((p) => p.pid), [], 'no process carries the bench marker');
});
