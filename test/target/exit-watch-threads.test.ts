// The strike thread's exit stamp (target/exit-watch.ts watchExit) is the moment waitpid() would
// return, also for a multi-threaded target: the leader of a Node process shows `Z` while its other
// threads are still exiting, and until the last one has gone its files stay open (a listener still
// accepts connections) and waitpid() does not return it (measured: 18 of 20 leaders seen `Z` with 2
// threads left, the listener open in 14 of them, Node's 'exit' 2-3 ms later). So here, as soon as the
// stamp is written, a connect to the target's port must be refused, in every stamped repeat.
// Checked: with the thread count ignored (a zombie leader taken as exited), every repeat was
// stamped and the listener still accepted the connect in most of them (7 of 10 in one run): fails.
import { spawn } from 'node:child_process';
import net from 'node:net';
import t from 'tap';
import { newExitSlot, watchExit } from '../../harness/target/exit-watch.js';
import { readProc } from '../../harness/target/proc.js';

// Three worker threads kept busy (their exit takes a moment), a listener on 127.0.0.1; prints its
// port; exits 0 on SIGTERM.
const TARGET = `
const { Worker } = require('node:worker_threads');
for (let i = 0; i < 3; i++) new Worker('setInterval(() => { const e = Date.now() + 5; while (Date.now() < e); }, 1)', { eval: true });
const s = require('node:http').createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', () => console.log(s.address().port));
process.on('SIGTERM', () => process.exit(0));
`;

const connects = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

t.test('the exit stamp of a multi-threaded target: its listener is closed when the stamp is written, in every stamped repeat', async (t) => {
  const open: number[] = [];
  let stamped = 0;
  for (let r = 0; r < 20; r++) {
    const child = spawn(process.execPath, ['-e', TARGET], { stdio: ['ignore', 'pipe', 'inherit'] });
    t.teardown(() => void child.kill('SIGKILL'));
    let gone = false;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve(void (gone = true))));
    const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    t.equal(await connects(port), true, 'the listener accepts before the signal');
    const info = readProc(child.pid!)!;
    const slot = newExitSlot();
    const view = new BigInt64Array(slot);
    child.kill('SIGTERM');
    watchExit({ pid: child.pid!, start: info.start, slot }, () => performance.now());
    // The stamp, seen on this thread's next turns (watchExit looks once per turn of the loop); or
    // the child reaped first (this thread's own 'exit' handling), which ends the watch unstamped.
    while (Atomics.load(view, 0) === 0n && !gone) await new Promise((resolve) => setImmediate(resolve));
    if (Atomics.load(view, 0) > 0n) {
      stamped++;
      if (await connects(port)) open.push(r);
    }
    await exited;
  }
  // This thread also reaps the child (its 'exit'), so in some repeats the watch ends unstamped
  // (11-16 of 20 were stamped in 4 runs): enough of them must be stamped to judge.
  t.ok(stamped >= 3, `the watch stamped the exit in ${stamped} of 20 repeats (at least 3 to judge)`);
  t.same(open, [], 'repeats in which the listener still accepted a connect after the stamp');
});
