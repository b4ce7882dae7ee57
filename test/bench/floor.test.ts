import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { buildFloor } from '../../bench/build-floor.js';
import { bashFloor, cFloor } from '../../bench/exit-detect.js';
import { endAll } from '../../bench/procs.js';

// The floor programs build with the system compiler and measure what they claim: N positive
// samples of an instant target that exits 0 on SIGTERM. (Speeds are not asserted here.)
t.test('floor programs build and measure', async (t) => {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bin-'));
  t.teardown(async () => {
    await endAll();
    fs.rmSync(bin, { recursive: true, force: true });
  });
  const floor = buildFloor(bin);

  const bash = await bashFloor(floor)(3);
  t.equal(bash.length, 3, 'the bash floor prints one sample per round');
  t.ok(bash.every((v) => Number.isFinite(v) && v > 0), `bash samples are positive ms: ${bash.join(', ')}`);

  if (!floor.cc) {
    t.equal(floor.waitpid, null, 'no cc: no C floor');
    t.equal(floor.target.kind, 'node', 'no cc: the Node instant target');
    t.match(floor.notes.join(' '), /no C compiler/);
    return;
  }
  t.equal(floor.target.kind, 'c');
  t.ok(fs.statSync(floor.waitpid!).mode & 0o111, 'waitpid is executable');
  const c = await cFloor(floor)!(3);
  t.equal(c.length, 3, 'the C floor prints one sample per round');
  t.ok(c.every((v) => Number.isFinite(v) && v > 0), `C samples are positive ms: ${c.join(', ')}`);

  // The instant target: "ready" once its handlers are set, ignores SIGUSR2, exits 0 on SIGTERM.
  const child = spawn(floor.target.command, floor.target.args, { stdio: ['ignore', 'pipe', 'ignore'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exit = new Promise<[number | null, string | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
  await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready\n') && resolve()));
  child.kill('SIGUSR2');
  child.kill('SIGTERM');
  t.same(await exit, [0, null], 'exits with code 0 on SIGTERM after ignoring SIGUSR2');
});
