// Issue 12 item 7: the report's browser scripts (harness/report/html/client/*.ts) are type-checked
// and bundled by `npm run build` (node dist/harness/report/html/build-client.js). Each fault below
// is put into a temp copy of the client folder (the rest of harness/ linked in, so its `import
// type`s resolve) and must fail that build step naming its file and leave no bundle; the untouched
// copy builds to exactly the bundles in dist/. The bundles hold no Node built-in, and a missing
// bundle is an error naming `npm run build`.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { CLIENT_BUNDLES, readClientBundle, reportAsset } from '../../harness/report/html/assets.js';
import { ROOT, tempDir } from '../helpers/cli.js';

const BUILD = path.join(ROOT, 'dist/harness/report/html/build-client.js');
const DIST = path.join(ROOT, 'dist/harness/report/html');
const CLIENT = path.join(ROOT, 'harness/report/html/client');

// A copy of the client folder at <dir>/harness/report/html/client, everything else of harness/
// and node_modules linked in from the checkout.
function clientCopy(t: Tap.Test): { src: string; out: string } {
  const dir = tempDir('drill-client-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const link = (from: string, to: string, except: string): void => {
    fs.mkdirSync(to, { recursive: true });
    for (const name of fs.readdirSync(from)) if (name !== except) fs.symlinkSync(path.join(from, name), path.join(to, name));
  };
  link(path.join(ROOT, 'harness'), path.join(dir, 'harness'), 'report');
  link(path.join(ROOT, 'harness/report'), path.join(dir, 'harness/report'), 'html');
  link(path.join(ROOT, 'harness/report/html'), path.join(dir, 'harness/report/html'), 'client');
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(dir, 'node_modules'));
  const src = path.join(dir, 'harness/report/html/client');
  fs.cpSync(CLIENT, src, { recursive: true });
  return { src, out: path.join(dir, 'out') };
}

// Replaces one exact line-start text in a copied file (the test fails if it is not there).
function edit(t: Tap.Test, file: string, find: string, replace: string): void {
  const text = fs.readFileSync(file, 'utf8');
  t.ok(text.includes(find), `${path.basename(file)} holds ${JSON.stringify(find)}`);
  fs.writeFileSync(file, text.replace(find, replace));
}

function buildClient(src: string, out: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BUILD, '--src', src, '--out', out], { timeout: 180_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr });
    });
  });
}

const bundles = CLIENT_BUNDLES.map((name) => `${name}.js` as const);

t.test('the bundles in dist/ hold no Node built-in and are what reportAsset inlines', async (t) => {
  for (const name of bundles) {
    const text = fs.readFileSync(path.join(DIST, name), 'utf8');
    t.notMatch(text, /\brequire\s*\(|\bimport\s*\(|\bimport\s*[\w{*]|["'`]node:|\bprocess\.|\bBuffer\b|__dirname/, `${name}: no require, import, node: module, process or Buffer`);
    t.match(text, /^"use strict";\(\(\)=>\{/, `${name} is a minified iife`);
    t.equal(reportAsset(name), text, `reportAsset('${name}') is the built bundle`);
  }
  t.match(fs.readFileSync(path.join(DIST, 'shared.js'), 'utf8'), /window\.__shutdownDrill=/, 'shared.js sets the global the page scripts read');
});

t.test('a missing bundle is an error naming npm run build, never a page without its script', async (t) => {
  const empty = tempDir('drill-nobundle-');
  t.teardown(() => fs.rmSync(empty, { recursive: true, force: true }));
  t.throws(() => readClientBundle('client.js', empty), {
    code: 'INTERNAL',
    message: `the report's browser script client.js is not built (${path.join(empty, 'client.js')} is missing): run \`npm run build\` (tsc alone does not bundle harness/report/html/client/)`,
  });
});

// The two builds run side by side (each is mostly tsc).
t.test('the untouched copy builds to exactly the bundles in dist/; every fault fails the build, each named', async (t) => {
  const clean = clientCopy(t);
  const broken = clientCopy(t);
  const src = broken.src;
  edit(t, path.join(src, 'client.ts'), "  const runs = index.runs;\n", "  const runs = index.runs;\n  const count: number = runs[0]!.id;\n");
  edit(t, path.join(src, 'sweep-client.ts'), "  const runIndex = data.runIndex;\n", "  const runIndex = data.runIndex;\n  console.log(process.env);\n");
  edit(t, path.join(src, 'compare-client.ts'), "import type { Shared } from './shared.js';\n",
    "import type { Shared } from './shared.js';\nimport { OUTCOMES } from '../timeline.js';\nconsole.log(OUTCOMES);\n");
  edit(t, path.join(src, 'sweep-client.ts'), "import type { Shared } from './shared.js';\n",
    "import type { Shared } from './shared.js';\nimport fs from 'node:fs';\nconsole.log(fs);\n");
  const [ok, r] = await Promise.all([buildClient(clean.src, clean.out), buildClient(broken.src, broken.out)]);

  t.equal(ok.code, 0, ok.stderr);
  t.same(fs.readdirSync(clean.out).sort(), [...bundles].sort());
  for (const name of bundles) t.equal(fs.readFileSync(path.join(clean.out, name), 'utf8'), fs.readFileSync(path.join(DIST, name), 'utf8'), `${name} as in dist/`);

  t.equal(r.code, 1, 'the faulty copy fails the build');
  t.match(r.stderr, /client\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/, 'the type error: file, line and error');
  t.match(r.stderr, /sweep-client\.ts\(\d+,\d+\): error TS2339: Property 'env' does not exist/, 'process is only what clock.ts needs');
  t.match(r.stderr, /compare-client\.js bundles [^\n]*harness\/report\/html\/timeline\.ts[^\n]*: a client script may import only the client folder's own modules/, 'the Node side gives types only');
  t.match(r.stderr, /sweep-client\.js: sweep-client\.ts:\d+:\d+: Could not resolve "node:fs" \(a Node built-in/, 'no Node built-in in a browser bundle');
  t.notOk(fs.existsSync(broken.out), 'no bundle is written');
});
