// shutdown-drill run report: the strike-time sweeps (results.json `sweeps[]`). One chart per
// sweep: failure rate (verdict), time to exit and failed load operations against the strike
// offset, the vulnerable windows shaded; clicking a point, or a run in the table below it, opens
// that run (#run/N). Shown on the overview only. Data is put into the page as text, never markup.
(function () {
  'use strict';
  var SD = window.__shutdownDrill;
  var el = SD.el, add = SD.add, fmtMs = SD.fmtMs, fmtPct = SD.fmtPct;
  var block = document.getElementById('sd-sweeps');
  var root = document.getElementById('sd-sweeps-view');
  if (!block || !root) return;
  var data = JSON.parse(block.textContent);
  if (!data.sweeps.length) return;

  function anchorText(a) { return typeof a === 'string' ? a : 'log /' + a.log + '/'; }
  function mean(list) {
    var v = list.filter(function (x) { return typeof x === 'number' && isFinite(x); });
    if (!v.length) return null;
    return v.reduce(function (a, b) { return a + b; }, 0) / v.length;
  }
  function runLink(run) {
    var i = data.runIndex[run.run];
    var a = el('a', 'sweep-run verdict-' + run.verdict, (run.verdict === 'pass' ? '✓ ' : run.verdict === 'skipped' ? '- ' : '✗ ') + run.run);
    if (typeof i === 'number') a.href = '#run/' + i;
    a.setAttribute('data-testid', 'sweep-run');
    if (run.late) a.title = 'the strike landed ' + fmtMs(run.latenessMs) + ' off (more than the resolution)';
    return a;
  }

  var section = el('section', 'sweeps');
  add(section, el('h2', null, 'Strike-time sweeps (' + data.sweeps.length + ')'));
  data.sweeps.forEach(function (s, si) {
    var box = el('div', 'sweep');
    box.setAttribute('data-testid', 'sweep');
    var head = el('h3', null, s.scenario + ' ');
    add(head, el('span', 'badge verdict-' + s.verdict, s.verdict));
    add(box, head);
    add(box, el('div', 'muted small', '+' + s.fromMs + '..+' + s.toMs + ' ms after ' + anchorText(s.anchor) + ', resolution ' + s.resolutionMs + ' ms, ' + s.runs + ' runs' +
      (s.maxLatenessMs !== null ? ', largest strike lateness ' + fmtMs(s.maxLatenessMs) : '') + (s.lateRuns ? ' (' + s.lateRuns + ' late)' : '') +
      (s.budgetExhausted ? ', budget of ' + s.maxRuns + ' runs ran out' : '') + (s.reason ? ': ' + s.reason : '')));
    var list = el('ul', 'sweep-windows');
    s.windows.forEach(function (w) {
      var li = el('li', null, 'vulnerable +' + w.fromMs + '..+' + w.toMs + ' ms' + (w.failureRate < 1 ? ' (fails ' + fmtPct(w.failureRate) + ' of ' + w.runs + ' runs)' : '') + ': ' + w.failedChecks.join(', '));
      li.setAttribute('data-testid', 'sweep-window');
      add(list, li);
    });
    if (!s.windows.length) add(list, el('li', null, s.verdict === 'pass' ? 'no vulnerable window' : 'no window found'));
    add(box, list);

    var points = s.points;
    var xs = points.map(function (p) { return p.offsetMs; });
    var rate = points.map(function (p) { return p.failureRate; });
    var tte = points.map(function (p) { return mean(p.runs.map(function (r) { return r.timeToExitMs; })); });
    var ops = points.map(function (p) { return mean(p.runs.map(function (r) { return r.failedOps; })); });
    var hasOps = ops.some(function (v) { return v !== null; });
    var chartBox = el('div', 'sweep-chart');
    add(box, chartBox);
    if (window.uPlot && xs.length) {
      var series = [
        { label: 'strike offset (ms)' },
        { label: 'failure rate', scale: 'rate', stroke: '#d32f2f', width: 0, points: { show: true, size: 8, fill: '#d32f2f' }, paths: function () { return null; } },
        { label: 'time to exit (ms)', scale: 'ms', stroke: '#1e88e5', width: 1, points: { show: true, size: 5 } },
      ];
      var cols = [xs, rate, tte];
      if (hasOps) {
        series.push({ label: 'failed operations', scale: 'ops', stroke: '#fb8c00', width: 1, points: { show: true, size: 5 } });
        cols.push(ops);
      }
      var axes = [{ label: 'ms after ' + anchorText(s.anchor) }, { scale: 'rate', label: 'failure rate' }, { scale: 'ms', side: 1, label: 'time to exit (ms)', grid: { show: false } }];
      var u = new uPlot({
        width: Math.min(1000, Math.max(360, (root.clientWidth || 900) - 40)), height: 260, series: series, axes: axes,
        scales: { x: { time: false }, rate: { range: [0, 1] } },
        hooks: {
          // The windows, shaded under the points.
          drawClear: [function (u) {
            var ctx = u.ctx;
            ctx.save();
            ctx.fillStyle = 'rgba(211,47,47,0.12)';
            s.windows.forEach(function (w) {
              var a = u.valToPos(w.fromMs, 'x', true), b = u.valToPos(w.toMs, 'x', true);
              ctx.fillRect(a, u.bbox.top, Math.max(2, b - a), u.bbox.height);
            });
            ctx.restore();
          }],
        },
      }, cols, chartBox);
      // A click opens the first run at the nearest offset.
      u.over.addEventListener('click', function () {
        var i = u.cursor.idx;
        if (i === null || i === undefined || !points[i]) return;
        var idx = data.runIndex[points[i].runs[0].run];
        if (typeof idx === 'number') location.hash = '#run/' + idx;
      });
      u.over.style.cursor = 'pointer';
      chartBox.setAttribute('data-sweep', String(si));
    }
    var details = el('details', 'sweep-points');
    add(details, el('summary', null, points.length + ' offsets'));
    var table = el('table', 'small');
    var hr = el('tr');
    ['offset', 'failure rate', 'time to exit', 'lateness', 'runs'].forEach(function (h) { add(hr, el('th', null, h)); });
    add(table, hr);
    points.forEach(function (p) {
      var tr = el('tr');
      var cell = el('td');
      p.runs.forEach(function (r, k) { if (k) add(cell, ' '); add(cell, runLink(r)); });
      add(tr, el('td', null, '+' + p.offsetMs + ' ms'), el('td', null, fmtPct(p.failureRate)),
        el('td', null, fmtMs(mean(p.runs.map(function (r) { return r.timeToExitMs; })))),
        el('td', null, p.runs.map(function (r) { return fmtMs(r.latenessMs); }).join(', ')), cell);
      add(table, tr);
    });
    add(details, table);
    add(box, details);
    add(section, box);
  });
  add(root, section);
  // Between the report's header and its run list.
  var app = document.getElementById('app');
  var main = app && app.querySelector('main');
  if (main) app.insertBefore(root, main);

  function route() {
    root.style.display = location.hash && location.hash !== '#' ? 'none' : '';
  }
  window.addEventListener('hashchange', route);
  route();
})();
