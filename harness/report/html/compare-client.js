// shutdown-drill compare page: per scenario, base vs current distributions of time to exit and
// drain (summaries + empirical CDF charts), pass-rate change and verdict. Data is read from the
// inert JSON block #sd-compare and put into the page as text only.
(function () {
  'use strict';
  var SD = window.__shutdownDrill;
  var el = SD.el, add = SD.add, fmtMs = SD.fmtMs, fmtPct = SD.fmtPct;
  var data = JSON.parse(document.getElementById('sd-compare').textContent);
  var c = data.comparison;
  var app = document.getElementById('app');
  app.textContent = '';
  var METRIC_LABEL = { timeToExitMs: 'time to exit', drainMs: 'drain' };

  var header = el('header', 'sd-header');
  var h1 = el('h1', null, data.title + ' ');
  var verdict = el('span', 'badge ' + (c.verdict === 'regression' ? 'regression' : 'improvement'), c.verdict === 'regression' ? 'regression' : 'ok');
  verdict.setAttribute('data-testid', 'compare-verdict');
  add(h1, verdict);
  add(header, h1,
    el('div', 'muted small', 'base: ' + side(c.base)),
    el('div', 'muted small', 'current: ' + side(c.current)));
  var main = el('main');
  add(app, header, main);

  var summary = el('div', 'compare-summary');
  ['regression', 'improvement', 'unchanged', 'new', 'missing'].forEach(function (k) {
    var b = el('span', 'count');
    b.setAttribute('data-testid', 'compare-count-' + k);
    add(b, el('span', 'n', c.counts[k]), ' ' + k);
    add(summary, b);
  });
  add(main, summary, el('p', 'compare-rule', 'Rule: ' + c.rule));

  var table = el('table', 'compare');
  var hr = el('tr');
  ['scenario', 'runs base / current', 'pass rate', 'time to exit p50', 'drain p50', 'verdict'].forEach(function (h) { add(hr, el('th', null, h)); });
  add(table, add(el('thead'), hr));
  var body = el('tbody');
  c.groups.forEach(function (g) {
    var tr = el('tr', 'cmp-row ' + g.verdict);
    tr.setAttribute('data-key', g.key);
    add(tr,
      el('td', 'id mono', g.key),
      el('td', 'num', (g.base ? g.base.runs : '-') + ' / ' + (g.current ? g.current.runs : '-')),
      el('td', 'num', rate(g.base) + ' → ' + rate(g.current)),
      deltaCell(g.metrics[0]),
      deltaCell(g.metrics[1]),
      add(el('td'), el('span', 'badge ' + g.verdict, g.verdict)));
    var dtr = el('tr', 'cmp-detail');
    var td = el('td');
    td.colSpan = 6;
    add(dtr, td);
    dtr.hidden = true;
    tr.addEventListener('click', function () { toggle(); });
    function toggle() {
      dtr.hidden = !dtr.hidden;
      if (!dtr.hidden && !td.firstChild) fill(td, g);
    }
    add(body, tr, dtr);
    if (g.verdict === 'regression') setTimeout(toggle, 0);
  });
  add(table, body);
  add(main, table);

  function side(s) {
    return [s.startedAt, s.tool ? s.tool.name + ' ' + s.tool.version : '', s.machine ? s.machine.os + ', ' + s.machine.cpus + ' CPUs' : '', s.runs + ' runs'].filter(Boolean).join(' · ');
  }
  function rate(r) { return r && r.rate !== null ? fmtPct(r.rate) : '-'; }
  function deltaCell(m) {
    var td = el('td', 'num delta ' + m.verdict);
    if (m.verdict === 'no-data') { td.textContent = '-'; return td; }
    td.textContent = fmtMs(m.base.p50) + ' → ' + fmtMs(m.current.p50) + (m.changePct !== null ? ' (' + (m.changePct >= 0 ? '+' : '') + m.changePct.toFixed(1) + '%)' : '');
    return td;
  }
  function fill(td, g) {
    if (g.reasons.length) add(td, el('p', 'reason' + (g.verdict === 'regression' ? ' v-fail' : ''), g.reasons.join('; ')));
    var wrap = el('div', 'group-charts');
    add(td, wrap);
    g.metrics.forEach(function (m) {
      var box = el('div', 'metric-box');
      add(box, el('h3', null, METRIC_LABEL[m.metric] || m.metric));
      var t = el('table', 'summary small');
      var h = el('tr');
      ['', 'n', 'min', 'p50', 'p95', 'max'].forEach(function (x) { add(h, el('th', null, x)); });
      add(t, h);
      [['base', m.base], ['current', m.current]].forEach(function (row) {
        var s = row[1];
        add(t, add(el('tr'), el('th', null, row[0]), el('td', 'num', s.n), el('td', 'num', fmtMs(s.min)), el('td', 'num', fmtMs(s.p50)), el('td', 'num', fmtMs(s.p95)), el('td', 'num', fmtMs(s.max))));
      });
      add(box, t, el('p', 'muted small', m.reason));
      var chart = el('div', 'chart');
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
