import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { Clock } from '../harness/clock.js';
import type { HistoryEvent } from '../harness/history/events.js';
import { History } from '../harness/history/writer.js';
import { writeFileAtomicSync } from '../harness/report/atomic.js';
import { judgeRun } from '../harness/run/judge-run.js';
import { RunSpecSchema } from '../harness/scenario/schema.js';
import { chooseContainment, joinArgv } from '../harness/target/containment.js';
import { launch } from '../harness/target/launch.js';
import { freePort } from '../harness/target/ports.js';
import { makeRunTmp } from '../harness/target/run-tmp.js';
import { settleTree } from '../harness/target/settle.js';
import type { Floor } from './build-floor.js';
import { newMarker } from './procs.js';

// The parts of the per-run overhead, each timed alone with the clock on the code the run uses
// (same order as a run: before the spawn, the spawn, after the exit), `n` times each, interleaved.
// Milliseconds per part; `spawn.execa` is execa 9 spawning the same way, for comparison.
export const PARTS = [
  'runDir', 'history', 'tmpDir', 'port', 'specJson', 'containerCreate', 'spawn', 'spawn.execa',
  'settle', 'orphanSweep', 'containerDestroy', 'tmpRemove', 'historyClose', 'judge',
] as const;
export type Part = (typeof PARTS)[number];

// Times each part `n` times (the instant target, SIGKILLed between samples); `events` is a real
// run's history for the history write and the judge. Every process it starts is gone when it resolves.
export async function measureOverheadParts(floor: Floor, n: number, events: readonly HistoryEvent[]): Promise<Record<Part, number[]>> {
  const out = Object.fromEntries(PARTS.map((p) => [p, [] as number[]])) as Record<Part, number[]>;
  const containment = chooseContainment();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'shutdown-drill-bench-parts-'));
  const spec = RunSpecSchema.parse({
    name: 'bench/parts', target: { command: floor.target.command, args: floor.target.args, ready: { log: '^ready$' } },
    strike: { at: { afterReadyMs: 10 }, signal: 'SIGTERM' }, expect: { exit: { codes: [0] } },
  });
  const time = async <T>(part: Part, work: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await work();
    out[part].push(performance.now() - t0);
    return r;
  };
  try {
    for (let i = 0; i < n; i++) {
      const runDir = path.join(base, `run-${i}`);
      await time('runDir', () => {
        fs.rmSync(runDir, { recursive: true, force: true });
        fs.mkdirSync(runDir, { recursive: true });
      });
      const clock = new Clock();
      const history = await time('history', () => new History({ clock, file: path.join(runDir, 'events.jsonl') }));
      const tmp = await time('tmpDir', () => makeRunTmp());
      await time('port', () => freePort());
      await time('specJson', () => writeFileAtomicSync(path.join(runDir, 'spec.json'), JSON.stringify(spec, null, 2)));
      const container = await time('containerCreate', () => containment.create(`bench-parts-${i}`));
      const marker = newMarker('parts');
      const target = await time('spawn', () => launch({
        command: floor.target.command, args: floor.target.args, cwd: process.cwd(), env: {}, shell: false, marker, container, now: () => clock.now(),
        outputLines: 100, onLine: () => {},
      }));
      process.kill(target.pid, 'SIGKILL');
      const exit = await target.exited;
      await target.finishOutput();
      const wrapped = joinArgv(container, floor.target.command, floor.target.args, false);
      // (execa's subprocess is a promise of its result: held outside, never returned from `work`.)
      let sub: ReturnType<typeof execa> | undefined;
      await time('spawn.execa', async () => {
        sub = execa(wrapped.command, wrapped.args, { detached: true, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false, cleanup: false, forceKillAfterDelay: false, env: { SHUTDOWN_DRILL_RUN: marker } });
        await new Promise<void>((resolve) => {
          sub!.once('spawn', () => resolve());
          sub!.once('error', () => resolve());
        });
      });
      sub!.kill('SIGKILL');
      await sub;
      await time('settle', () => settleTree({ container, leaderPid: target.pid, leaderExitT: exit.t, graceMs: 0, now: () => clock.now() }));
      await time('orphanSweep', async () => {
        if (container.members().length) await container.kill();
      });
      await time('containerDestroy', () => container.destroy());
      await time('tmpRemove', () => fs.rmSync(tmp, { recursive: true, force: true }));
      for (const e of events) history.emit(e);
      await time('historyClose', () => history.close());
      await time('judge', () => judgeRun(spec, events));
    }
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
  return out;
}
