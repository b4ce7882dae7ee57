import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { HarnessError, errorMessage } from '../errors.js';
import type { OpOutcome } from '../history/events.js';
import type { LoadKindSpec } from './kind-registry.js';
import { CLIENT_PAGE, INIT_SCRIPT } from './browser-client.js';
import { MARKER_ENV } from '../target/tree.js';
import { findChromium } from './browser-find.js';
import { deferred, requirePort } from './engine.js';
import { outcomeOfStatus } from './outcome.js';
import type { LoadContext, LoadDriver } from './types.js';
import { ackPatternSource } from '../scenario/regex.js';
import { round3 } from '../clock.js';

export type BrowserLoad = LoadKindSpec<'browser'>;

// Chromium flags for a quiet, sandbox-free headless browser in CI containers.
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic',
];

// The path of the harness's own client page on the harness's page server.
const CLIENT_PREFIX = '/__shutdown_drill__/';

// Serves the client page on 127.0.0.1 (an ephemeral port). A real loopback server, not a route:
// Chromium's local-network-access checks block a routed (public) document from reaching 127.0.0.1.
async function servePage(): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if ((req.url ?? '').startsWith(CLIENT_PREFIX)) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(CLIENT_PAGE);
    else res.writeHead(404).end();
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

interface Report {
  k: 'open' | 'message' | 'close' | 'start' | 'end' | 'error' | 'conn-open' | 'conn-close' | 'done';
  t: number;
  client?: string;
  id?: number;
  data?: string;
  code?: number;
  reason?: string;
  byClient?: boolean;
  lost?: number;
  outcome?: OpOutcome;
  status?: number;
  bytes?: number;
  error?: string;
  message?: string;
  how?: 'fin' | 'reset' | 'error' | 'local';
}

interface PageState {
  index: number;
  page: Page | undefined;
  // run clock = page performance.now() + offset; undefined until measured (reports wait).
  offset: number | undefined;
  // The tightest upper bound on the offset seen before it was measured.
  bound: number;
  queue: Report[];
}

// The browser driver: one headless Chromium (playwright-core), `pages` pages. Each page either
// opens `page` from the target (its WebSockets are watched by an init script), or the harness's
// client page, which holds a WebSocket (ack-correlated messages, like the ws driver), an
// EventSource, or a fetch loop. Everything is reported from inside the page (CloseEvent.code,
// messages, lost messages) and stamped with the page's clock mapped onto the run's. The browser
// runs with a fresh temporary profile, is launched only by start(), and is closed (profile
// removed) by stop() or the run's abort.
export function createBrowserDriver(spec: BrowserLoad, ctx: LoadContext): LoadDriver {
  const { history, name } = ctx;
  const done = deferred();
  const pages: PageState[] = [];
  const clients = new Map<string, { opened: boolean; closed: boolean }>();
  let context: BrowserContext | undefined;
  let profileDir: string | undefined;
  let pageServer: { origin: string; close: () => Promise<void> } | undefined;
  let stopping: Promise<void> | undefined;
  let unsubscribe: (() => void) | undefined;
  let durationTimer: NodeJS.Timeout | undefined;
  let started = false;
  let fetchLoopsDone = 0;
  const opened = deferred();

  const clientId = (p: PageState, inner: string | undefined): string => (spec.page ? `p${p.index}.${inner ?? 'ws'}` : `p${p.index}`);

  const maybeDone = (): void => {
    if (!started) return;
    const states = [...clients.values()];
    if (spec.mode === 'fetch' && !spec.page) {
      if (fetchLoopsDone >= spec.pages) done.resolve();
      return;
    }
    if (states.length > 0 && states.every((c) => c.closed)) done.resolve();
  };

  const write = (p: PageState, r: Report): void => {
    const t = round3(r.t + p.offset!);
    const client = clientId(p, r.client);
    switch (r.k) {
      case 'open':
        clients.set(client, { opened: true, closed: false });
        history.emit({ type: 'ws:open', t, driver: name, client });
        if ([...clients.values()].filter((c) => c.opened).length >= spec.pages) opened.resolve();
        break;
      case 'conn-open':
        clients.set(client, { opened: true, closed: false });
        history.emit({ type: 'conn:open', t, driver: name, conn: client });
        if ([...clients.values()].filter((c) => c.opened).length >= spec.pages) opened.resolve();
        break;
      case 'message':
        history.emit({ type: 'ws:message', t, driver: name, client, data: r.data ?? '' });
        break;
      case 'close': {
        const c = clients.get(client);
        if (c) c.closed = true;
        history.emit({ type: 'ws:close', t, driver: name, client, code: r.code ?? 0, reason: (r.reason ?? '').slice(0, 200), byClient: !!r.byClient });
        if (r.lost) history.emit({ type: 'load:error', t, driver: name, message: `client ${client}: ${r.lost} message(s) lost (sent, never acked, when the socket closed with ${r.code})` });
        maybeDone();
        break;
      }
      case 'conn-close': {
        const c = clients.get(client);
        if (c) c.closed = true;
        history.emit({ type: 'conn:close', t, driver: name, conn: client, how: r.how ?? 'error', ...(r.error ? { error: r.error } : {}) });
        maybeDone();
        break;
      }
      case 'start':
        history.emit({ type: 'request:start', t, driver: name, id: `${client}.${r.id}`, conn: client, op: spec.mode === 'fetch' ? `GET ${spec.path}` : 'message' });
        break;
      case 'end': {
        const outcome = r.outcome ?? (r.status !== undefined ? outcomeOfStatus(r.status) : 'closed');
        history.emit({
          type: 'request:end', t, driver: name, id: `${client}.${r.id}`, outcome,
          ...(r.status !== undefined ? { status: r.status } : {}), ...(r.bytes !== undefined ? { bytes: r.bytes } : {}), ...(r.error ? { error: r.error } : {}),
        });
        break;
      }
      case 'error':
        history.emit({ type: 'load:error', t, driver: name, message: `client ${client}: ${r.message ?? 'error'}` });
        break;
      case 'done':
        fetchLoopsDone++;
        maybeDone();
        break;
    }
  };

  const onReport = (p: PageState, r: Report): void => {
    // A report arrives after it happened: arrival - page time bounds the offset from above.
    const bound = history.clock.now() - r.t;
    if (p.offset === undefined) {
      p.queue.push(r);
      p.bound = Math.min(p.bound, bound);
    } else {
      p.offset = Math.min(p.offset, bound);
      write(p, r);
    }
  };

  // Maps the page's performance.now() onto the run clock. The page read its clock between our
  // `a` and `b`, so the offset is at most b - page; the smallest such bound over a few round
  // trips and over every report's arrival is used: a page event is never placed earlier than it
  // happened, and at most one round trip (typically < 1 ms) later.
  const measureOffset = async (p: PageState): Promise<void> => {
    let upper = p.bound;
    for (let i = 0; i < 5; i++) {
      const pageNow = await p.page!.evaluate('performance.now()') as number;
      const b = history.clock.now();
      upper = Math.min(upper, b - pageNow);
    }
    p.offset = upper;
    for (const r of p.queue.splice(0)) write(p, r);
  };

  const stopPages = async (): Promise<void> => {
    await Promise.all(pages.map((p) => p.page?.evaluate('window.__drillStop && window.__drillStop()').catch(() => {})));
  };

  const closeBrowser = async (): Promise<void> => {
    clearTimeout(durationTimer);
    unsubscribe?.();
    const c = context;
    context = undefined;
    if (c) await c.close().catch(() => {});
    if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
    profileDir = undefined;
    const ps = pageServer;
    pageServer = undefined;
    await ps?.close();
  };

  const driver: LoadDriver = {
    name,
    kind: 'browser',
    done: done.promise,
    async start() {
      const port = requirePort(ctx.port, name);
      const { chromium } = await import('playwright-core');
      let playwrightPath: string | undefined;
      try {
        playwrightPath = chromium.executablePath();
      } catch {
        playwrightPath = undefined;
      }
      const exe = findChromium(playwrightPath);
      history.emit({ type: 'load:started', driver: name, kind: 'browser', detail: { pages: spec.pages, mode: spec.mode, page: spec.page ?? null, executable: exe.path } });
      const origin = `http://${ctx.host}:${port}`;
      try {
        profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shutdown-drill-chromium-'));
        if (ctx.signal.aborted) throw new Error('the run was aborted');
        // The harness's page is not on the target's origin: EventSource and fetch to the target
        // would need CORS, so this throwaway profile runs without it in those modes.
        const args = spec.page || spec.mode === 'ws' ? CHROMIUM_FLAGS : [...CHROMIUM_FLAGS, '--disable-web-security'];
        if (!spec.page) pageServer = await servePage();
        context = await chromium.launchPersistentContext(profileDir, {
          executablePath: exe.path, headless: true, args,
          // The harness handles its own signals; Playwright must not close the browser on them.
          handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
          env: { ...process.env, ...(ctx.processMarker ? { [MARKER_ENV]: ctx.processMarker } : {}) } as Record<string, string>,
          timeout: spec.connectTimeoutMs,
        });
        ctx.signal.addEventListener('abort', () => void driver.stop(), { once: true });
        await context.exposeBinding('__drillReport', (source, r: Report) => {
          const p = pages.find((x) => x.page === source.page);
          if (p) onReport(p, r);
        });
        await context.addInitScript(INIT_SCRIPT);
        unsubscribe = history.subscribe((e) => {
          if (e.type === 'target:exit') {
            // No new fetches once the target is gone; sockets end by themselves.
            if (spec.mode === 'fetch' && !spec.page) void stopPages();
          }
        });
        const ack = (client: string): string => ackPatternSource(spec.ackPattern, client);
        // Pages reuse the persistent context's first tab, then open new ones.
        const initial = context.pages();
        for (let i = 0; i < spec.pages; i++) {
          const page = initial[i] ?? (await context.newPage());
          const p: PageState = { index: i, page, offset: undefined, bound: Infinity, queue: [] };
          pages.push(p);
          const target = spec.page ? `${origin}${spec.page.startsWith('/') ? '' : '/'}${spec.page}` : `${pageServer!.origin}${CLIENT_PREFIX}client.html`;
          await page.goto(target, { waitUntil: 'load', timeout: spec.connectTimeoutMs });
          await measureOffset(p);
          if (!spec.page) {
            const client = `p${i}`;
            const scheme = spec.mode === 'ws' ? 'ws' : 'http';
            const config = {
              client, mode: spec.mode, url: `${scheme}://${ctx.host}:${port}${spec.path.startsWith('/') ? '' : '/'}${spec.path}`,
              mps: spec.messagesPerSecond, message: spec.message, ackSource: ack(client),
            };
            await page.evaluate(`window.__drillStart(${JSON.stringify(config)})`);
          }
        }
        started = true;
        if (spec.mode !== 'fetch' || spec.page) {
          // Wait until every page's client is connected.
          let timer: NodeJS.Timeout | undefined;
          const ok = await Promise.race([opened.promise.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), spec.connectTimeoutMs)))]);
          clearTimeout(timer);
          const n = [...clients.values()].filter((c) => c.opened).length;
          if (!ok && n === 0) throw new Error(`no page connected within ${spec.connectTimeoutMs} ms (connectTimeoutMs)`);
        }
        durationTimer = setTimeout(() => void stopPages(), spec.durationMs);
        maybeDone();
      } catch (error) {
        history.emit({ type: 'load:error', driver: name, message: errorMessage(error) });
        await closeBrowser();
        done.resolve();
        if (error instanceof HarnessError) throw error;
        throw new HarnessError('LOAD_FAILED', `load "${name}" (browser): ${errorMessage(error)}`, { cause: error });
      }
    },
    stop() {
      stopping ??= (async () => {
        await closeBrowser();
        const still = [...clients.entries()].filter(([, c]) => c.opened && !c.closed).map(([id]) => id);
        history.emit({ type: 'load:stopped', driver: name, stats: { pages: pages.length, clients: clients.size, stillOpen: still } });
        done.resolve();
      })();
      return stopping;
    },
  };
  return driver;
}
