// shutdown-drill compare page: per scenario, base vs current distributions of time to exit and
// drain (summaries + empirical CDF charts), pass-rate change and verdict. Data is read from the
// inert JSON block #sd-compare and put into the page as text only.
import type { Comparison, CompareData, GroupComparison, MetricComparison, Summary } from './data.js';
import type { Shared } from './shared.js';

(function () {
  const SD: Shared = window.__shutdownDrill;
  const { el, add, fmtMs, fmtPct } = SD;
  const data = SD.readBlock<CompareData>('sd-compare')!;
  const c = data.comparison;
  const app = document.getElementById('app')!;
  app.textContent = '';
  const METRIC_LABEL: Record<string, string> = { timeToExitMs: 'time to exit', drainMs: 'drain' };

  const header = el('header', 'sd-header');
  const h1 = el('h1', null, data.title + ' ');
  const verdict = el('span', 'badge ' + (c.verdict === 'regression' ? 'regression' : 'improvement'), c.verdict === 'regression' ? 'regression' : 'ok');
  verdict.setAttribute('data-testid', 'compare-verdict');
  add(h1, verdict);
  add(header, h1,
    el('div', 'muted small', 'base: ' + side(c.base)),
    el('div', 'muted small', 'current: ' + side(c.current)));
  const main = el('main');
  add(app, header, main);

  const summary = el('div', 'compare-summary');
  (['regression', 'improvement', 'unchanged', 'new', 'missing'] as const).forEach((k) => {
    const b = el('span', 'count');
    b.setAttribute('data-testid', 'compare-count-' + k);
    add(b, el('span', 'n', c.counts[k]), ' ' + k);
    add(summary, b);
  });
  add(main, summary, el('p', 'compare-rule', 'Rule: ' + c.rule));

  const table = el('table', 'compare');
  const hr = el('tr');
  ['scenario', 'runs base / current', 'pass rate', 'time to exit p50', 'drain p50', 'verdict'].forEach((h) => add(hr, el('th', null, h)));
  add(table, add(el('thead'), hr));
  const body = el('tbody');
  c.groups.forEach((g) => {
    const tr = el('tr', 'cmp-row ' + g.verdict);
    tr.setAttribute('data-key', g.key);
    add(tr,
      el('td', 'id mono', g.key),
      el('td', 'num', (g.base ? g.base.runs : '-') + ' / ' + (g.current ? g.current.runs : '-')),
      el('td', 'num', rate(g.base) + ' → ' + rate(g.current)),
      deltaCell(g.metrics[0]!),
      deltaCell(g.metrics[1]!),
      add(el('td'), el('span', 'badge ' + g.verdict, g.verdict)));
    const dtr = el('tr', 'cmp-detail');
    const td = el('td');
    td.colSpan = 6;
    add(dtr, td);
    dtr.hidden = true;
    tr.addEventListener('click', () => toggle());
    function toggle(): void {
      dtr.hidden = !dtr.hidden;
      if (!dtr.hidden && !td.firstChild) fill(td, g);
    }
    add(body, tr, dtr);
    if (g.verdict === 'regression') setTimeout(toggle, 0);
  });
  add(table, body);
  add(main, table);

  function side(s: Comparison['base']): string {
    return [s.startedAt, s.tool ? s.tool.name + ' ' + s.tool.version : '', s.machine ? s.machine.os + ', ' + s.machine.cpus + ' CPUs' : '', s.runs + ' runs'].filter(Boolean).join(' · ');
  }
  function rate(r: GroupComparison['base']): string {
    return r && r.rate !== null ? fmtPct(r.rate) : '-';
  }
  function deltaCell(m: MetricComparison): HTMLTableCellElement {
    const td = el('td', 'num delta ' + m.verdict);
    if (m.verdict === 'no-data') { td.textContent = '-'; return td; }
    td.textContent = fmtMs(m.base.p50) + ' → ' + fmtMs(m.current.p50) + (m.changePct !== null ? ' (' + (m.changePct >= 0 ? '+' : '') + m.changePct.toFixed(1) + '%)' : '');
    return td;
  }
  function fill(td: HTMLTableCellElement, g: GroupComparison): void {
    if (g.reasons.length) add(td, el('p', 'reason' + (g.verdict === 'regression' ? ' v-fail' : ''), g.reasons.join('; ')));
    const wrap = el('div', 'group-charts');
    add(td, wrap);
    g.metrics.forEach((m) => {
      const box = el('div', 'metric-box');
      add(box, el('h3', null, METRIC_LABEL[m.metric] || m.metric));
      const t = el('table', 'summary small');
      const h = el('tr');
      ['', 'n', 'min', 'p50', 'p95', 'max'].forEach((x) => add(h, el('th', null, x)));
      add(t, h);
      ([['base', m.base], ['current', m.current]] as Array<[string, Summary]>).forEach(([name, s]) => {
        add(t, add(el('tr'), el('th', null, name), el('td', 'num', s.n), el('td', 'num', fmtMs(s.min)), el('td', 'num', fmtMs(s.p50)), el('td', 'num', fmtMs(s.p95)), el('td', 'num', fmtMs(s.max))));
      });
      add(box, t, el('p', 'muted small', m.reason));
      const chart = el('div', 'chart');
      add(box, chart);
      add(wrap, box);
      SD.ecdfChart(chart, [
        { label: 'base', values: m.baseValues, color: '#78909c' },
        { label: 'current', values: m.currentValues, color: m.verdict === 'slower' ? '#d32f2f' : '#1e88e5' },
      ], { width: Math.min(560, Math.max(320, SD.chartWidth(td) / 2 - 16)), height: 200 });
    });
  }
  document.documentElement.setAttribute('data-ready', '1');
})();
