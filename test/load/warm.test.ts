// A worker load is warmed while the target gets ready (run/steps/load.ts warmLoad, worker-host.ts
// warm()): its thread loads its engine and waits. Warm, it touches neither the target nor the
// history; started, it runs at once and says when it was warm (load:started warmT); stopped
// without a start, it leaves nothing (no history event, no segment file, no thread).
// Guards: the `waitForStart` wait in load/worker-entry.ts and the never-started branch of
// worker-host.ts doStop. Checked: with the worker starting at once whatever its input, the
// server saw requests before start() and the first test failed; with the branch removed, a
// load:stopped was recorded for a load never started and the second test failed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { Clock } from '../../harness/clock.js';
import { eventsOf } from '../../harness/history/events.js';
import { History } from '../../harness/history/writer.js';
import { WorkerLoad } from '../../harness/load/worker-host.js';
import { runSpec } from '../fixtures/load/drive.js';
import { httpFixture } from '../fixtures/load/servers.js';

function warmDriver(t: Tap.Test, port: number): { driver: WorkerLoad; history: History; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drill-warm-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const clock = new Clock();
  const history = new History({ clock });
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const spec = runSpec([{ http: { connections: 2, amount: 20, path: '/ok' } }]);
  const driver = new WorkerLoad('http', spec.load[0]!, { history, clockOrigin: clock.origin.toString(), host: '127.0.0.1', port, name: 'api', runDir: dir, signal: abort.signal });
  t.teardown(() => driver.stop());
  return { driver, history, dir };
}

t.test('warmed, the load waits: no request and no event until start(); started, it runs and says when it was warm', async (t) => {
  const server = await httpFixture();
  t.teardown(() => server.close());
  const { driver, history } = warmDriver(t, server.port);
  driver.warm();
  const warmT = await driver.warmed;
  t.type(warmT, 'number', 'the worker loaded its engine');
  // Its engine is loaded and its sockets could be open by now: a batch (10 ms) and a bit more.
  await new Promise((r) => setTimeout(r, 50));
  t.equal(server.requests, 0, 'no request reached the target before start()');
  t.same(history.events().map((e) => e.type), [], 'nothing recorded before start()');
  const before = history.clock.now();
  await driver.start();
  await driver.done;
  await driver.stop();
  t.equal(server.requests, 20, 'every request after the start');
  const started = eventsOf(history.events(), 'load:started');
  t.equal(started.length, 1);
  t.equal(started[0]!.warmT, warmT, 'load:started says when the worker was warm');
  t.ok(started[0]!.warmT! <= started[0]!.t, 'warm before the start');
  const firstRequest = eventsOf(history.events(), 'request:start')[0];
  t.ok(firstRequest && firstRequest.t >= before, 'the first request after start()');
});

t.test('warmed and stopped without a start: nothing recorded, no segment left', async (t) => {
  const server = await httpFixture();
  t.teardown(() => server.close());
  const { driver, history, dir } = warmDriver(t, server.port);
  driver.warm();
  await driver.warmed;
  t.same(fs.readdirSync(dir), ['load-api.segment.jsonl'], 'the warm worker has its (empty) segment');
  await driver.stop();
  await driver.done;
  t.same(history.events(), [], 'no event: the load never ran');
  t.same(fs.readdirSync(dir), [], 'no segment left');
  t.equal(server.requests, 0);
});
