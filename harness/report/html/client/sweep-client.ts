// shutdown-drill run report: the strike-time sweeps (results.json `sweeps[]`). One chart per
// sweep: failure rate (verdict), time to exit and failed load operations against the strike
// offset, the vulnerable windows shaded; clicking a point, or a run in the table below it, opens
// that run (#run/N). Shown on the overview only. Data is put into the page as text, never markup.
import type { SweepResult, SweepsData } from './data.js';
import type { Shared } from './shared.js';

type SweepRun = SweepResult['points'][number]['runs'][number];

(function () {
  const SD: Shared = window.__shutdownDrill;
  const { el, add, fmtMs, fmtPct } = SD;
  const data = SD.readBlock<SweepsData>('sd-sweeps');
  const root = document.getElementById('sd-sweeps-view');
  if (!data || !root) return;
  if (!data.sweeps.length) return;
  const runIndex = data.runIndex;

  function anchorText(a: SweepResult['anchor']): string {
    return typeof a === 'string' ? a : 'log /' + a.log + '/';
  }
  function mean(list: Array<number | null>): number | null {
    const v = list.filter((x): x is number => typeof x === 'number' && isFinite(x));
    if (!v.length) return null;
    return v.reduce((a, b) => a + b, 0) / v.length;
  }
  function runLink(run: SweepRun): HTMLAnchorElement {
    const i = runIndex[run.run];
    const a = el('a', 'sweep-run verdict-' + run.verdict, (run.verdict === 'pass' ? '✓ ' : run.verdict === 'skipped' ? '- ' : '✗ ') + run.run);
    if (typeof i === 'number') a.href = '#run/' + i;
    a.setAttribute('data-testid', 'sweep-run');
    if (run.late) a.title = 'the strike landed ' + fmtMs(run.latenessMs) + ' off (more than the resolution)';
    return a;
  }

  const section = el('section', 'sweeps');
  add(section, el('h2', null, 'Strike-time sweeps (' + data.sweeps.length + ')'));
  data.sweeps.forEach((s, si) => {
    const box = el('div', 'sweep');
    box.setAttribute('data-testid', 'sweep');
    const head = el('h3', null, s.scenario + ' ');
    add(head, el('span', 'badge verdict-' + s.verdict, s.verdict));
    add(box, head);
    add(box, el('div', 'muted small', '+' + s.fromMs + '..+' + s.toMs + ' ms after ' + anchorText(s.anchor) + ', resolution ' + s.resolutionMs + ' ms, ' + s.runs + ' runs' +
      (s.maxLatenessMs !== null ? ', largest strike lateness ' + fmtMs(s.maxLatenessMs) : '') + (s.lateRuns ? ' (' + s.lateRuns + ' late)' : '') +
      (s.budgetExhausted ? ', budget of ' + s.maxRuns + ' runs ran out' : '') + (s.reason ? ': ' + s.reason : '')));
    const list = el('ul', 'sweep-windows');
    s.windows.forEach((w) => {
      const li = el('li', null, 'vulnerable +' + w.fromMs + '..+' + w.toMs + ' ms' + (w.failureRate < 1 ? ' (fails ' + fmtPct(w.failureRate) + ' of ' + w.runs + ' runs)' : '') + ': ' + w.failedChecks.join(', '));
      li.setAttribute('data-testid', 'sweep-window');
      add(list, li);
    });
    if (!s.windows.length) add(list, el('li', null, s.verdict === 'pass' ? 'no vulnerable window' : 'no window found'));
    add(box, list);

    const points = s.points;
    const xs = points.map((p) => p.offsetMs);
    const rate = points.map((p) => p.failureRate);
    const tte = points.map((p) => mean(p.runs.map((r) => r.timeToExitMs)));
    const ops = points.map((p) => mean(p.runs.map((r) => r.failedOps)));
    const hasOps = ops.some((v) => v !== null);
    const chartBox = el('div', 'sweep-chart');
    add(box, chartBox);
    if (typeof uPlot === 'function' && xs.length) {
      const series: uPlot.Series[] = [
        { label: 'strike offset (ms)' },
        { label: 'failure rate', scale: 'rate', stroke: '#d32f2f', width: 0, points: { show: true, size: 8, fill: '#d32f2f' }, paths: () => null },
        { label: 'time to exit (ms)', scale: 'ms', stroke: '#1e88e5', width: 1, points: { show: true, size: 5 } },
      ];
      const cols: uPlot.AlignedData = [xs, rate, tte];
      if (hasOps) {
        series.push({ label: 'failed operations', scale: 'ops', stroke: '#fb8c00', width: 1, points: { show: true, size: 5 } });
        cols.push(ops);
      }
      const axes: uPlot.Axis[] = [{ label: 'ms after ' + anchorText(s.anchor) }, { scale: 'rate', label: 'failure rate' }, { scale: 'ms', side: 1, label: 'time to exit (ms)', grid: { show: false } }];
      const u = new uPlot({
        width: Math.min(1000, Math.max(360, (root.clientWidth || 900) - 40)), height: 260, series, axes,
        scales: { x: { time: false }, rate: { range: [0, 1] } },
        hooks: {
          // The windows, shaded under the points.
          drawClear: [(u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.fillStyle = 'rgba(211,47,47,0.12)';
            s.windows.forEach((w) => {
              const a = u.valToPos(w.fromMs, 'x', true), b = u.valToPos(w.toMs, 'x', true);
              ctx.fillRect(a, u.bbox.top, Math.max(2, b - a), u.bbox.height);
            });
            ctx.restore();
          }],
        },
      }, cols, chartBox);
      // A click opens the first run at the nearest offset.
      u.over.addEventListener('click', () => {
        const i = u.cursor.idx;
        if (i === null || i === undefined || !points[i]) return;
        const idx = runIndex[points[i].runs[0]!.run];
        if (typeof idx === 'number') location.hash = '#run/' + idx;
      });
      u.over.style.cursor = 'pointer';
      chartBox.setAttribute('data-sweep', String(si));
    }
    const details = el('details', 'sweep-points');
    add(details, el('summary', null, points.length + ' offsets'));
    const table = el('table', 'small');
    const hr = el('tr');
    ['offset', 'failure rate', 'time to exit', 'lateness', 'runs'].forEach((h) => add(hr, el('th', null, h)));
    add(table, hr);
    points.forEach((p) => {
      const tr = el('tr');
      const cell = el('td');
      p.runs.forEach((r, k) => { if (k) add(cell, ' '); add(cell, runLink(r)); });
      add(tr, el('td', null, '+' + p.offsetMs + ' ms'), el('td', null, fmtPct(p.failureRate)),
        el('td', null, fmtMs(mean(p.runs.map((r) => r.timeToExitMs)))),
        el('td', null, p.runs.map((r) => fmtMs(r.latenessMs)).join(', ')), cell);
      add(table, tr);
    });
    add(details, table);
    add(box, details);
    add(section, box);
  });
  add(root, section);
  // Between the report's header and its run list.
  const app = document.getElementById('app');
  const main = app && app.querySelector('main');
  if (app && main) app.insertBefore(root, main);

  function route(): void {
    root!.style.display = location.hash && location.hash !== '#' ? 'none' : '';
  }
  window.addEventListener('hashchange', route);
  route();
})();
