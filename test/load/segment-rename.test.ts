// The host (load/worker-host.ts) marks a segment it merged: deleted when sealed, renamed
// `load-<name>.segment.merged.jsonl` when incomplete (the worker died first), and only once the
// history's file holds its events; so a `*.segment.jsonl` file in a run folder is always unmerged,
// and reading the folder again (history/run-folder.ts readRunHistory) never merges one twice.
// Guards: the rename in worker-host.ts merge(). Checked: with the renameSync line replaced by a
// no-op, the first test failed (a load-api.segment.jsonl was left, and the message named it).
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { Clock } from '../../harness/clock.js';
import { loadView } from '../../harness/history/ops.js';
import { readHistory } from '../../harness/history/reader.js';
import { readRunHistory } from '../../harness/history/run-folder.js';
import { History } from '../../harness/history/writer.js';
import { createLoadDriver } from '../../harness/load/index.js';
import { FAULT_EXIT_ENV } from '../../harness/load/worker-host.js';
import { runSpec } from '../fixtures/load/drive.js';
import { httpFixture } from '../fixtures/load/servers.js';
import { tempDir } from '../helpers/cli.js';

// Runs an http load against a local server until `ended` operations have ended (or the worker
// died), stops it and closes the history; returns the run folder.
async function runLoad(t: Test, faultAfter: number | undefined): Promise<{ dir: string; history: History; incomplete: string | undefined }> {
  const server = await httpFixture();
  const dir = tempDir('segment-rename-');
  t.teardown(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const clock = new Clock();
  const history = new History({ clock, file: path.join(dir, 'events.jsonl') });
  const spec = runSpec([{ http: { name: 'api', connections: 2, path: '/ok', durationMs: 10_000 } }]);
  const abort = new AbortController();
  if (faultAfter !== undefined) process.env[FAULT_EXIT_ENV] = String(faultAfter);
  const driver = createLoadDriver(spec.load[0]!, { history, clockOrigin: clock.origin.toString(), host: '127.0.0.1', port: server.port, name: 'api', runDir: dir, signal: abort.signal });
  try {
    await driver.start();
  } finally {
    delete process.env[FAULT_EXIT_ENV];
  }
  // Handshake: the faulty worker has exited (after `faultAfter` operations: `done` resolves at its
  // exit); the sound one has written 30 ended operations to its segment.
  const deadline = performance.now() + 20_000;
  const segment = path.join(dir, 'load-api.segment.jsonl');
  let exited = false;
  void driver.done.then(() => (exited = true));
  while (faultAfter !== undefined ? !exited : (fs.existsSync(segment) ? fs.readFileSync(segment, 'utf8').match(/"request:end"/g)?.length ?? 0 : 0) < 30) {
    if (performance.now() > deadline) throw new Error('the load did not get there in 20 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  await driver.stop();
  const incomplete = driver.incomplete?.();
  history.close();
  return { dir, history, incomplete };
}

t.test('a worker that dies unsealed: its segment is merged, then renamed .segment.merged.jsonl; reading the folder does not merge it again', async (t) => {
  const { dir, incomplete } = await runLoad(t, 20);
  t.same(fs.readdirSync(dir).filter((f) => f.includes('segment')), ['load-api.segment.merged.jsonl'], 'renamed: no *.segment.jsonl is left');
  t.match(incomplete, /^load "api": its record is incomplete: segment load-api\.segment\.merged\.jsonl \(\d+ events kept\): the load worker ended before sealing it/);
  const merged = fs.readFileSync(path.join(dir, 'load-api.segment.merged.jsonl'), 'utf8').split('\n').filter(Boolean).length;
  t.ok(merged > 0, `${merged} events in the kept segment`);
  const saved = readHistory(path.join(dir, 'events.jsonl'));
  const { events, unmerged } = readRunHistory(path.join(dir, 'events.jsonl'));
  t.same(unmerged, [], 'the folder holds no unmerged segment');
  t.equal(events.length, saved.length, 'read again, the history is the saved one (nothing merged twice)');
  t.equal(saved.filter((e) => e.type === 'load:error' && /incomplete/.test(e.message)).length, 1, 'one load:error names it');
  const ops = loadView(saved, 'api').ops;
  t.ok(ops.length > 0, `its ${ops.length} operations are in the history`);
  t.equal(saved.filter((e) => e.type === 'request:start').length, new Set(saved.filter((e) => e.type === 'request:start').map((e) => e.type === 'request:start' && e.id)).size, 'each once');
});

t.test('a sealed segment is deleted once merged', async (t) => {
  const { dir, incomplete } = await runLoad(t, undefined);
  t.equal(incomplete, undefined);
  t.same(fs.readdirSync(dir).filter((f) => f.includes('segment')), [], 'no segment file is left');
  t.ok(loadView(readHistory(path.join(dir, 'events.jsonl')), 'api').ops.length >= 30, 'its operations are in the history');
});
