// The downloader target (seed 000): correct vs broken variants, driven directly.
import t from 'tap';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { hasCommand, readyPort, spawnTarget, tempDir, TARGETS } from './spawn-target.js';

const DIR = path.join(TARGETS, 'downloader');
const python = hasCommand('python3');
const skip = python ? false : 'python3 is not on PATH: the downloader target is a Python program';

// The expected bytes of file `index` (see targets/downloader/content.mjs).
function sha256Of(index: number): string {
  const size = (index + 1) * 100 * 1024;
  const buf = Buffer.alloc(size);
  for (let j = 0; j < size; j++) buf[j] = (j + 7 * index) % 251;
  return crypto.createHash('sha256').update(buf).digest('hex');
}

const listing = (dir: string): string[] => fs.readdirSync(dir).sort();

t.test('downloader', { skip }, async (t) => {
  const server = spawnTarget(t, process.execPath, [path.join(DIR, 'file-server.mjs'), '--port', '0']);
  const url = `http://127.0.0.1:${await readyPort(server)}`;
  const start = (variant: string, out: string, extra: string[] = []) =>
    spawnTarget(t, 'python3', [path.join(DIR, 'downloader.py'), '--url', url, '--out', out, '--files', '4', '--variant', variant, ...extra]);

  t.test('correct: Ctrl+C to the group mid-download removes partials, keeps finished files, says Goodbye, exits 0 within 1 s', async (t) => {
    const out = tempDir(t, 'dl-');
    const d = start('correct', out);
    await d.waitFor(/^saved file-0 /);
    d.signal('SIGINT', 'group');
    const exit = await d.exited;
    t.same([exit.code, exit.signal], [0, null]);
    t.ok(exit.msAfterSignal < 1000, `exited ${exit.msAfterSignal.toFixed(0)} ms after SIGINT`);
    t.match(d.output(), /Goodbye!/);
    t.same(listing(out), ['file-0'], 'no .part file, file-0 kept');
    t.equal(crypto.createHash('sha256').update(fs.readFileSync(path.join(out, 'file-0'))).digest('hex'), sha256Of(0), 'file-0 intact');
  });

  t.test('correct: SIGTERM during the 5 s retry sleep still exits within 1 s', async (t) => {
    const out = tempDir(t, 'dl-');
    const d = start('correct', out, ['--files', '0']);
    await d.waitFor(/^flaky-0: HTTP 500, retrying in 5s/);
    d.signal('SIGTERM');
    const exit = await d.exited;
    t.same([exit.code, exit.signal], [0, null]);
    t.ok(exit.msAfterSignal < 1000, `exited ${exit.msAfterSignal.toFixed(0)} ms after SIGTERM`);
    t.same(listing(out), []);
  });

  t.test('correct: a second Ctrl+C during a slow disconnect forces exit 130 at once', async (t) => {
    const out = tempDir(t, 'dl-');
    const d = start('correct', out, ['--stop-delay-ms', '3000']);
    await d.waitFor(/^ready:/);
    d.signal('SIGINT', 'group');
    await d.waitFor(/^Cleaning up/);
    const second = process.hrtime.bigint();
    d.signal('SIGINT', 'group');
    const exit = await d.exited;
    const ms = Number(process.hrtime.bigint() - second) / 1e6;
    t.same([exit.code, exit.signal], [130, null]);
    t.ok(ms < 1000, `exited ${ms.toFixed(0)} ms after the second SIGINT`);
    t.match(d.output(), /SIGINT again: forced exit/);
    t.same(listing(out).filter((f) => f.endsWith('.part')), [], 'partials were removed before the disconnect');
  });

  t.test('broken-leaves-partials: exits 0 but leaves *.part files', async (t) => {
    const out = tempDir(t, 'dl-');
    const d = start('broken-leaves-partials', out);
    await d.waitFor(/^saved file-0 /);
    d.signal('SIGINT', 'group');
    const exit = await d.exited;
    t.same([exit.code, exit.signal], [0, null]);
    t.same(listing(out), ['file-0', 'file-1.part', 'file-2.part', 'file-3.part']);
  });

  t.test('broken-waits-retry: sits out the retry sleep (over 1 s after the signal)', async (t) => {
    const out = tempDir(t, 'dl-');
    const d = start('broken-waits-retry', out, ['--files', '1']);
    await d.waitFor(/^saved file-0 /);
    d.signal('SIGTERM');
    const exit = await d.exited;
    t.same([exit.code, exit.signal], [0, null]);
    t.ok(exit.msAfterSignal > 1000, `exited ${exit.msAfterSignal.toFixed(0)} ms after SIGTERM`);
    t.same(listing(out), ['file-0']);
  });

  t.test('broken-ignores-second: the second Ctrl+C is ignored; the slow disconnect runs to the end', async (t) => {
    const out = tempDir(t, 'dl-');
    const d = start('broken-ignores-second', out, ['--files', '1', '--stop-delay-ms', '1500']);
    await d.waitFor(/^ready:/);
    d.signal('SIGINT', 'group');
    await d.waitFor(/^Cleaning up/);
    const second = process.hrtime.bigint();
    d.signal('SIGINT', 'group');
    const exit = await d.exited;
    const ms = Number(process.hrtime.bigint() - second) / 1e6;
    t.same([exit.code, exit.signal], [0, null]);
    t.ok(ms > 1000, `exited ${ms.toFixed(0)} ms after the second SIGINT`);
    t.match(d.output(), /SIGINT again: still shutting down/);
  });
});
