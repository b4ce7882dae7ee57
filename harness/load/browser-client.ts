// The code that runs inside the browser's pages, as plain JavaScript source (a string, so no
// TypeScript/bundler helper can leak into the page). Every report goes through the exposed
// binding `__drillReport` with the page's performance.now(); the driver maps that onto the run
// clock.

// Installed in every page before its scripts run: the reporter, and a WebSocket wrapper that
// reports open / message / close (with CloseEvent.code) of the sockets a target-served page opens.
export const INIT_SCRIPT = `(() => {
  if (window.__drillInstalled) return;
  window.__drillInstalled = true;
  const report = (ev) => { ev.t = performance.now(); try { window.__drillReport(ev); } catch (e) {} };
  window.__drillEmit = report;
  if (location.pathname.startsWith('/__shutdown_drill__/')) return;
  const Native = window.WebSocket;
  let n = 0;
  window.WebSocket = function (url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    const client = 'ws' + (++n);
    ws.addEventListener('open', () => report({ k: 'open', client }));
    ws.addEventListener('message', (e) => report({ k: 'message', client, data: typeof e.data === 'string' ? e.data.slice(0, 200) : '[binary]' }));
    ws.addEventListener('close', (e) => report({ k: 'close', client, code: e.code, reason: e.reason, byClient: !!ws.__drillByClient }));
    const close = ws.close.bind(ws);
    ws.close = (...args) => { ws.__drillByClient = true; return close(...args); };
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})();`;

// The harness's own client page (served by the driver on 127.0.0.1, see browser.ts).
// __drillStart(config) opens the load; __drillStop() ends it.
export const CLIENT_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>shutdown-drill client</title></head><body>
<script>
(() => {
  const report = (ev) => window.__drillEmit(ev);
  let stop = () => {};
  window.__drillStop = () => stop();
  window.__drillStart = (cfg) => {
    const client = cfg.client;
    if (cfg.mode === 'ws') {
      const ws = new WebSocket(cfg.url);
      const pending = new Set();
      const ack = new RegExp(cfg.ackSource, 'g');
      let seq = 0, timer, byClient = false;
      const send = () => {
        if (ws.readyState !== 1) return;
        const s = ++seq;
        pending.add(s);
        report({ k: 'start', client, id: s });
        ws.send(cfg.message.split('{seq}').join(String(s)).split('{client}').join(client));
      };
      ws.onopen = () => {
        report({ k: 'open', client });
        if (cfg.mps > 0) timer = setInterval(send, 1000 / cfg.mps);
      };
      ws.onmessage = (e) => {
        const text = typeof e.data === 'string' ? e.data : '[binary]';
        let acked = false;
        ack.lastIndex = 0;
        for (const m of text.matchAll(ack)) {
          const s = Number(m[1]);
          if (pending.delete(s)) { acked = true; report({ k: 'end', client, id: s, outcome: 'ok', bytes: text.length }); }
        }
        if (!acked) report({ k: 'message', client, data: text.slice(0, 200) });
      };
      ws.onerror = () => report({ k: 'error', client, message: 'WebSocket error event (the browser hides the cause)' });
      ws.onclose = (e) => {
        clearInterval(timer);
        const lost = pending.size;
        for (const s of pending) report({ k: 'end', client, id: s, outcome: 'closed', error: 'the socket closed (' + e.code + ') before the ack' });
        pending.clear();
        report({ k: 'close', client, code: e.code, reason: e.reason, byClient, lost });
      };
      stop = () => { clearInterval(timer); if (ws.readyState <= 1) { byClient = true; ws.close(1000, 'load finished'); } };
    } else if (cfg.mode === 'sse') {
      const es = new EventSource(cfg.url);
      let opened = false;
      es.onopen = () => { opened = true; report({ k: 'conn-open', client }); };
      es.onmessage = (e) => report({ k: 'message', client, data: String(e.data).slice(0, 200) });
      es.onerror = () => {
        // EventSource reconnects by itself; the first loss is what the drill is about.
        es.close();
        report({ k: 'conn-close', client, how: opened ? 'error' : 'error', error: opened ? 'the event stream ended' : 'the event stream could not open' });
      };
      stop = () => { es.close(); report({ k: 'conn-close', client, how: 'local' }); };
    } else {
      let running = true, seq = 0;
      stop = () => { running = false; };
      const period = cfg.mps > 0 ? 1000 / cfg.mps : 1000;
      (async () => {
        while (running) {
          const s = ++seq;
          const t0 = performance.now();
          report({ k: 'start', client, id: s });
          try {
            const res = await fetch(cfg.url, { cache: 'no-store' });
            const body = await res.text();
            report({ k: 'end', client, id: s, status: res.status, bytes: body.length });
          } catch (e) {
            report({ k: 'end', client, id: s, outcome: 'closed', error: 'fetch failed (the browser hides whether it was refused or reset): ' + e });
            if (cfg.stopOnError) running = false;
          }
          const wait = period - (performance.now() - t0);
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        report({ k: 'done', client });
      })();
    }
  };
})();
</script></body></html>`;
