// shutdown-drill run report: overview (verdict counts, filters, search), repeat statistics and the
// per-run detail (timeline, checks, metrics, logs, replay command). Per-run data sits in inert
// <script type="application/json" id="sd-run-N"> blocks and is parsed only when the run is opened.
// Every value from the data is put into the page as text (textContent), never as markup.
(function () {
  'use strict';
  var SD = window.__shutdownDrill;
  var el = SD.el, add = SD.add, fmtMs = SD.fmtMs, fmtPct = SD.fmtPct, show = SD.show;

  var index = JSON.parse(document.getElementById('sd-index').textContent);
  var runs = index.runs;
  var OUTCOMES = index.outcomes;
  var VERDICTS = ['pass', 'fail', 'error', 'skipped'];
  var VERDICT_LABEL = { pass: 'passed', fail: 'failed', error: 'errors', skipped: 'skipped' };
  var OUTCOME_COLOR = {
    ok: '#43a047', 'http-error': '#fb8c00', rejected: '#1e88e5', refused: '#5e35b1', reset: '#e53935',
    timeout: '#6d4c41', closed: '#9e9e9e', open: '#cfd8dc', error: '#c62828', abnormal: '#d81b60', orphan: '#ad1457',
    stdout: '#90a4ae', stderr: '#ef5350', 'not-ready': '#fbc02d', created: '#42a5f5', grew: '#26c6da', removed: '#ab47bc',
  };
  var MARKER_COLOR = {
    spawn: '#607d8b', ready: '#2e7d32', 'not-ready': '#f9a825', service: '#90a4ae', trigger: '#ef6c00',
    signal: '#d32f2f', escalation: '#6a1b9a', exit: '#212121', orphan: '#c2185b', stop: '#795548',
    error: '#b71c1c', load: '#78909c', files: '#0288d1', note: '#9e9e9e',
  };
  // Markers that get a label above the timeline (the others are lines and table rows).
  var LABELLED = { spawn: 1, ready: 1, 'not-ready': 1, trigger: 1, signal: 1, escalation: 1, exit: 1, orphan: 1, error: 1, stop: 1 };

  var state = { q: '', scenario: '', verdict: '', check: '' };
  var app = document.getElementById('app');
  app.textContent = '';
  var open = { charts: [], resize: null };
  var tip = SD.tooltip();

  // ---- shell ---------------------------------------------------------------------------------

  var header = el('header', 'sd-header');
  var h1 = el('h1', null, index.title);
  var suite = index.suite;
  var status = el('span', 'badge status-' + suite.status, suite.status);
  status.setAttribute('data-testid', 'suite-status');
  add(h1, ' ', status);
  var meta = el('div', 'muted small');
  meta.textContent = [
    suite.startedAt ? 'started ' + suite.startedAt : '',
    suite.tool ? suite.tool.name + ' ' + suite.tool.version : '',
    suite.machine ? suite.machine.os + ', node ' + suite.machine.node + ', ' + suite.machine.cpus + ' CPUs' : '',
    suite.containment ? 'containment ' + suite.containment + (suite.containment === 'marker' ? ' (weaker: a process that drops the marker can escape)' : '') : '',
  ].filter(Boolean).join(' · ');
  var nav = el('nav', 'tabs');
  var tabRuns = el('a', 'tab', 'Runs (' + runs.length + ')');
  tabRuns.href = '#';
  add(nav, tabRuns);
  var tabRepeats = null;
  if (index.groups.length) {
    tabRepeats = el('a', 'tab', 'Repeats (' + index.groups.length + ')');
    tabRepeats.href = '#repeats';
    add(nav, tabRepeats);
  }
  add(header, h1, meta, nav);
  var main = el('main');
  add(app, header, main);

  // ---- overview --------------------------------------------------------------------------------

  var listView = el('section', 'list-view');
  var counts = {};
  VERDICTS.forEach(function (v) { counts[v] = 0; });
  runs.forEach(function (r) { counts[r.verdict] = (counts[r.verdict] || 0) + 1; });
  var countBar = el('div', 'counts');
  var total = el('button', 'count total');
  total.type = 'button';
  total.setAttribute('data-testid', 'count-all');
  add(total, el('span', 'n', runs.length), ' runs');
  total.addEventListener('click', function () { setFilter('verdict', ''); });
  add(countBar, total);
  var countButtons = {};
  VERDICTS.forEach(function (v) {
    var b = el('button', 'count v-' + v);
    b.type = 'button';
    b.setAttribute('data-testid', 'count-' + v);
    b.setAttribute('data-verdict-count', v);
    add(b, el('span', 'n', counts[v]), ' ' + VERDICT_LABEL[v]);
    b.addEventListener('click', function () { setFilter('verdict', state.verdict === v ? '' : v); });
    countButtons[v] = b;
    add(countBar, b);
  });

  var filters = el('div', 'filters');
  var search = el('input', 'search');
  search.type = 'search';
  search.placeholder = 'search id, scenario, params, check…';
  search.setAttribute('aria-label', 'search runs');
  search.addEventListener('input', function () { state.q = search.value; applyFilters(); });
  var scenarios = unique(runs.map(function (r) { return r.scenario; }));
  var scenarioSel = select('scenario', 'all scenarios', scenarios.map(function (s) { return [s, s]; }));
  var verdictSel = select('verdict', 'all verdicts', VERDICTS.map(function (v) { return [v, v]; }));
  var checkNames = unique([].concat.apply([], runs.map(function (r) { return r.checks; })));
  var failedNames = unique([].concat.apply([], runs.map(function (r) { return r.failing; })));
  var checkSel = el('select', 'filter-check');
  checkSel.setAttribute('aria-label', 'filter by check');
  add(checkSel, option('', 'all checks'));
  if (failedNames.length) {
    var g1 = el('optgroup');
    g1.label = 'failed';
    failedNames.forEach(function (n) { add(g1, option('failed:' + n, n + ' failed')); });
    add(checkSel, g1);
  }
  if (checkNames.length) {
    var g2 = el('optgroup');
    g2.label = 'ran';
    checkNames.forEach(function (n) { add(g2, option('ran:' + n, n)); });
    add(checkSel, g2);
  }
  checkSel.addEventListener('change', function () { state.check = checkSel.value; applyFilters(); });
  var shown = el('span', 'muted shown');
  add(filters, search, scenarioSel, verdictSel, checkSel, shown);

  var table = el('table', 'runs');
  var thead = el('thead');
  var htr = el('tr');
  ['verdict', 'run', 'scenario', 'params', 'repeat', 'time to exit', 'drain', 'failing checks'].forEach(function (h) { add(htr, el('th', null, h)); });
  add(thead, htr);
  var tbody = el('tbody');
  add(table, thead, tbody);
  var rowEls = [];
  var haystacks = [];
  var frag = document.createDocumentFragment();
  runs.forEach(function (r, i) {
    var tr = el('tr', 'run-row v-' + r.verdict);
    tr.setAttribute('data-i', String(i));
    var a = el('a', 'run-link', r.id);
    a.href = '#run/' + i;
    var failing = el('td', 'failing');
    r.failing.forEach(function (n) { add(failing, el('span', 'chip fail', n)); });
    if (!r.failing.length && r.reason && r.verdict !== 'pass') add(failing, el('span', 'muted', r.reason));
    var verdictCell = add(el('td'), el('span', 'badge v-' + r.verdict, r.verdict));
    // The outcome beside the verdict when it is not the plain one: a known failure, fixed, flaky.
    if (r.outcome === 'flaky' || (r.marked && r.outcome !== 'skipped')) {
      var ob = el('span', 'badge o-' + r.outcome, r.outcome === 'unexpected' ? 'unexpected' : r.outcome);
      if (r.outcomeNote) ob.title = r.outcomeNote;
      add(verdictCell, ' ', ob);
    }
    add(tr,
      verdictCell,
      add(el('td', 'id'), a),
      el('td', 'scenario', r.scenario),
      el('td', 'params', r.params),
      el('td', 'num', r.repeat),
      el('td', 'num', fmtMs(r.tte)),
      el('td', 'num', fmtMs(r.drain)),
      failing);
    tr.addEventListener('click', function (ev) {
      if (ev.target && ev.target.tagName === 'A') return;
      location.hash = '#run/' + i;
    });
    rowEls.push(tr);
    haystacks.push([r.id, r.scenario, r.params, r.verdict, r.outcome, r.failing.join(' '), r.checks.join(' '), r.reason || ''].join('\n').toLowerCase());
    frag.appendChild(tr);
  });
  tbody.appendChild(frag);
  var empty = el('p', 'muted empty', 'No run matches the filters.');
  add(listView, countBar, filters, table, empty);

  function option(value, label) {
    var o = el('option', null, label);
    o.value = value;
    return o;
  }
  function select(key, allLabel, items) {
    var s = el('select', 'filter-' + key);
    s.setAttribute('aria-label', 'filter by ' + key);
    add(s, option('', allLabel));
    items.forEach(function (it) { add(s, option(it[0], it[1])); });
    s.addEventListener('change', function () { state[key] = s.value; applyFilters(); });
    return s;
  }
  function setFilter(key, value) {
    state[key] = value;
    if (key === 'verdict') verdictSel.value = value;
    if (location.hash && location.hash !== '#') location.hash = '#';
    applyFilters();
  }
  function matches(r, i) {
    if (state.scenario && r.scenario !== state.scenario) return false;
    if (state.verdict && r.verdict !== state.verdict) return false;
    if (state.check) {
      var kind = state.check.slice(0, state.check.indexOf(':'));
      var name = state.check.slice(state.check.indexOf(':') + 1);
      if ((kind === 'failed' ? r.failing : r.checks).indexOf(name) === -1) return false;
    }
    if (state.q) {
      var words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
      for (var k = 0; k < words.length; k++) if (haystacks[i].indexOf(words[k]) === -1) return false;
    }
    return true;
  }
  function applyFilters() {
    var n = 0;
    for (var i = 0; i < runs.length; i++) {
      var ok = matches(runs[i], i);
      rowEls[i].hidden = !ok;
      if (ok) n++;
    }
    shown.textContent = 'showing ' + n + ' of ' + runs.length;
    empty.hidden = n !== 0;
    VERDICTS.forEach(function (v) { countButtons[v].classList.toggle('active', state.verdict === v); });
  }
  function visibleIndexes() {
    var out = [];
    for (var i = 0; i < runs.length; i++) if (!rowEls[i].hidden) out.push(i);
    return out;
  }

  // ---- repeats ---------------------------------------------------------------------------------

  var repeatsView = null;
  function buildRepeats() {
    var view = el('section', 'repeats-view');
    add(view, el('h2', null, 'Repeats'),
      el('p', 'muted', 'Runs of the same scenario and parameters, repeated. Pass rate below 100% means flaky; time to exit and drain are summarized over the repeats that were judged.'));
    var t = el('table', 'groups');
    var hr = el('tr');
    ['run', 'runs', 'pass rate', 'time to exit min / p50 / p95 / max', 'drain min / p50 / p95 / max'].forEach(function (h) { add(hr, el('th', null, h)); });
    add(t, add(el('thead'), hr));
    var body = el('tbody');
    index.groups.forEach(function (g) {
      var tr = el('tr', 'group-row');
      var rate = g.rate.rate;
      var rateCell = el('td', 'num', fmtPct(rate) + ' (' + g.rate.passed + '/' + g.rate.judged + ')');
      if (rate !== null && rate > 0 && rate < 1) add(rateCell, ' ', el('span', 'badge flaky', 'flaky'));
      if (rate === 0) add(rateCell, ' ', el('span', 'badge v-fail', 'always fails'));
      add(tr, el('td', 'id', g.key), el('td', 'num', g.runs.length), rateCell, el('td', 'num', summaryText(g.tte)), el('td', 'num', summaryText(g.drain)));
      var detailTr = el('tr', 'group-detail');
      detailTr.hidden = true;
      var td = el('td');
      td.colSpan = 5;
      add(detailTr, td);
      tr.addEventListener('click', function () {
        detailTr.hidden = !detailTr.hidden;
        if (!detailTr.hidden && !td.firstChild) {
          var wrap = el('div', 'group-charts');
          var c1 = el('div', 'chart');
          var c2 = el('div', 'chart');
          add(wrap, c1, c2);
          var links = el('div', 'group-runs');
          g.runs.forEach(function (ri) {
            var a = el('a', 'chip v-' + runs[ri].verdict, '#' + runs[ri].repeat + ' ' + runs[ri].verdict);
            a.href = '#run/' + ri;
            add(links, a, ' ');
          });
          add(td, wrap, links);
          SD.ecdfChart(c1, [{ label: 'time to exit', values: g.tteValues, color: '#1e88e5' }], { title: 'time to exit', width: Math.min(560, SD.chartWidth(td) / 2 - 8) });
          SD.ecdfChart(c2, [{ label: 'drain', values: g.drainValues, color: '#8e24aa' }], { title: 'drain', width: Math.min(560, SD.chartWidth(td) / 2 - 8) });
        }
      });
      add(body, tr, detailTr);
    });
    add(t, body);
    add(view, t);
    return view;
  }
  function summaryText(s) {
    if (!s || !s.n) return '-';
    return [s.min, s.p50, s.p95, s.max].map(fmtMs).join(' / ');
  }

  // ---- detail ------------------------------------------------------------------------------------

  function loadDetail(i) {
    var node = document.getElementById('sd-run-' + i);
    if (!node) return null;
    return JSON.parse(node.textContent);
  }

  function closeDetail() {
    open.charts.forEach(function (u) { try { u.destroy(); } catch (e) { /* already gone */ } });
    open.charts = [];
    if (open.resize) window.removeEventListener('resize', open.resize);
    open.resize = null;
    tip.hide();
  }

  function buildDetail(i) {
    var d = loadDetail(i);
    var view = el('section', 'detail-view');
    view.setAttribute('data-run', String(i));
    if (!d) {
      add(view, el('p', 'muted', 'No such run.'));
      return view;
    }
    var run = d.run;
    var navBar = el('div', 'detail-nav');
    var back = el('a', 'back', '← all runs');
    back.href = '#';
    add(navBar, back);
    var order = visibleIndexes();
    var pos = order.indexOf(i);
    if (pos > 0) { var prev = el('a', 'prev', '‹ previous'); prev.href = '#run/' + order[pos - 1]; add(navBar, ' ', prev); }
    if (pos !== -1 && pos < order.length - 1) { var next = el('a', 'next', 'next ›'); next.href = '#run/' + order[pos + 1]; add(navBar, ' ', next); }
    add(view, navBar);

    var title = el('h2', 'run-title');
    add(title, el('span', 'badge v-' + run.verdict, run.verdict), ' ', el('span', 'run-id', run.id));
    add(view, title);
    var facts = el('dl', 'facts');
    fact(facts, 'scenario', run.scenario);
    fact(facts, 'params', index.runs[i].params || '-');
    fact(facts, 'seed', run.seed);
    fact(facts, 'repeat', run.repeat);
    if (run.durationMs !== undefined) fact(facts, 'duration', fmtMs(run.durationMs));
    if (run.exit) fact(facts, 'exit', 'code ' + (run.exit.code === null ? 'none' : run.exit.code) + ', signal ' + (run.exit.signal || 'none') + (run.exit.shellCode !== undefined ? ', shell status ' + run.exit.shellCode : ''));
    if (run.file) fact(facts, 'file', run.file);
    if (run.shard) fact(facts, 'shard', run.shard);
    if (run.outcome) fact(facts, 'outcome', run.outcome + (run.outcomeNote ? ': ' + run.outcomeNote : ''));
    if (run.fails && (run.fails.reason || run.fails.link)) fact(facts, 'known failure', [run.fails.reason, run.fails.link].filter(Boolean).join(' · '));
    if (run.attempts) fact(facts, 'attempts', run.attempts.map(function (a) { return '#' + a.attempt + ' ' + a.verdict + (a.failedChecks.length ? ' (' + a.failedChecks.join(', ') + ')' : ''); }).join(', '));
    add(view, facts);
    if (run.reason) add(view, el('p', 'reason v-' + run.verdict, (run.errorCode ? run.errorCode + ': ' : '') + run.reason));

    var failing = run.checks.filter(function (c) { return !c.passed; });
    if (failing.length) add(view, failureBox(failing, d.rootCause));

    var tl = el('section', 'timeline');
    tl.setAttribute('data-testid', 'timeline');
    add(tl, el('h3', null, 'Timeline'));
    add(view, tl);

    add(view, el('h3', null, 'Checks'));
    add(view, checksTable(run.checks));
    add(view, el('h3', null, 'Metrics'));
    add(view, metricsTable(run.metrics || {}));
    add(view, el('h3', null, 'Replay'));
    var rep = el('div', 'replay');
    var code = el('code', 'replay-cmd', d.replay);
    var copy = el('button', 'copy', 'copy');
    copy.type = 'button';
    copy.addEventListener('click', function () {
      var done = function () { copy.textContent = 'copied'; setTimeout(function () { copy.textContent = 'copy'; }, 1200); };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(d.replay).then(done, function () { selectText(code); });
      else selectText(code);
    });
    add(rep, code, copy);
    add(view, rep);

    add(view, el('h3', null, 'Target output'));
    var logBox = el('div', 'logs');
    add(view, logBox);

    // Everything above is in the page before the charts measure their width.
    setTimeout(function () {
      if (d.timeline) renderTimeline(tl, d.timeline, run, failing, i);
      else add(tl, el('p', 'muted', d.historyError || 'no history'));
      renderLogs(logBox, d.timeline);
    }, 0);
    return view;
  }

  function fact(dl, k, v) { add(dl, el('dt', null, k), el('dd', null, v)); }

  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // The failure box: the root cause's one-line headline first, what each cause explains, every
  // failed check in a compact table (folded ones under their cause), the raw records behind a toggle.
  function failureBox(failing, rc) {
    var box = el('div', 'failing-checks');
    var byName = {};
    failing.forEach(function (c) { byName[c.name] = c; });
    var causes = (rc && rc.causes) || [];
    var head = el('h3', 'headline', rc ? rc.headline : failing[0].name + ': ' + failing[0].message);
    head.setAttribute('data-testid', 'headline');
    add(box, head);
    var rows = [];
    var seen = {};
    function row(name, from, why) {
      if (!byName[name] || seen[name]) return;
      seen[name] = true;
      rows.push({ c: byName[name], from: from, why: why });
    }
    causes.forEach(function (cause) {
      row(cause.check, null, null);
      cause.explains.forEach(function (x) { row(x.check, cause.check, x.why); });
    });
    failing.forEach(function (c) { row(c.name, null, null); });
    var t = el('table', 'checks compact');
    var hr = el('tr');
    ['check', 'status', 'why', 'message'].forEach(function (h) { add(hr, el('th', null, h)); });
    add(t, add(el('thead'), hr));
    var body = el('tbody');
    rows.forEach(function (r) {
      var tr = el('tr', r.from ? 'folded' : 'cause');
      tr.setAttribute('data-check', r.c.name);
      add(tr, el('td', null, (r.from ? '↳ ' : '') + r.c.name), add(el('td'), el('span', 'badge status-' + r.c.status, r.c.status)),
        el('td', 'small', r.from ? 'follows from ' + r.from + ': ' + r.why : 'cause'), el('td', null, r.c.message || ''));
      add(body, tr);
    });
    add(t, body);
    add(box, el('p', 'muted small', rows.length + (rows.length === 1 ? ' check' : ' checks') + ' failed' + (causes.length ? ', ' + causes.length + (causes.length === 1 ? ' cause' : ' causes') : '')), t);
    var raw = el('details', 'records');
    add(raw, el('summary', null, 'records (expected, actual, details)'));
    rows.forEach(function (r) { add(raw, checkCard(r.c)); });
    add(box, raw);
    return box;
  }

  function checkCard(c) {
    var card = el('div', 'check-card status-' + c.status);
    card.setAttribute('data-check', c.name);
    add(card, el('div', 'check-name', c.name + (c.status === 'error' ? ' (no evidence)' : '')));
    var grid = el('dl', 'ea');
    add(grid, el('dt', null, 'expected'), el('dd', 'expected', show(c.expected)), el('dt', null, 'actual'), el('dd', 'actual', show(c.actual)));
    add(card, grid);
    if (c.message) add(card, el('p', 'message', c.message));
    if (c.details && c.details.length) {
      var ul = el('ul', 'details');
      c.details.slice(0, 50).forEach(function (x) { add(ul, el('li', null, show(x))); });
      if (c.details.length > 50) add(ul, el('li', 'muted', '… ' + (c.details.length - 50) + ' more'));
      add(card, ul);
    }
    return card;
  }

  function checksTable(checks) {
    if (!checks.length) return el('p', 'muted', 'no checks ran');
    var t = el('table', 'checks');
    var hr = el('tr');
    ['check', 'status', 'expected', 'actual', 'message'].forEach(function (h) { add(hr, el('th', null, h)); });
    add(t, add(el('thead'), hr));
    var body = el('tbody');
    checks.forEach(function (c) {
      var tr = el('tr', c.passed ? 'ok' : 'bad');
      add(tr, el('td', null, c.name), add(el('td'), el('span', 'badge status-' + c.status, c.status)), el('td', 'mono', show(c.expected)), el('td', 'mono', show(c.actual)), el('td', null, c.message || ''));
      add(body, tr);
    });
    add(t, body);
    return t;
  }

  function metricsTable(metrics) {
    var keys = Object.keys(metrics);
    if (!keys.length) return el('p', 'muted', 'no metrics');
    var t = el('table', 'metrics');
    var body = el('tbody');
    keys.forEach(function (k) {
      var v = metrics[k];
      var text;
      if (typeof v === 'number') text = /Ms$/.test(k) ? fmtMs(v) : String(Math.round(v * 1000) / 1000);
      else if (v && typeof v === 'object') text = Object.keys(v).map(function (kk) { return kk + ': ' + v[kk]; }).join(', ');
      else text = show(v);
      add(body, add(el('tr'), el('th', null, k), el('td', 'mono', text)));
    });
    add(t, body);
    return t;
  }

  // ---- timeline ------------------------------------------------------------------------------------

  function renderTimeline(container, tl, run, failing, runIndex) {
    var syncKey = 'sd-run-' + runIndex;
    var markers = tl.markers;
    var AXIS = 150;
    var width = SD.chartWidth(container);

    // Label strip (DOM, positioned over the plot's x range), then the failing checks strip.
    var strip = el('div', 'marker-strip');
    var stripInner = el('div', 'strip-inner');
    add(strip, stripInner);
    var checkStrip = el('div', 'check-strip');
    var checkInner = el('div', 'strip-inner');
    add(checkStrip, checkInner);
    var chartBox = el('div', 'chart inflight');
    var laneBox = el('div', 'chart lanes');
    add(container, strip, chartBox, laneBox, checkStrip);

    function drawMarkers(u) {
      var ctx = u.ctx;
      var top = u.bbox.top, height = u.bbox.height;
      ctx.save();
      markers.forEach(function (m) {
        var x = Math.round(u.valToPos(m.t, 'x', true));
        if (x < u.bbox.left - 1 || x > u.bbox.left + u.bbox.width + 1) return;
        ctx.strokeStyle = MARKER_COLOR[m.kind] || '#999';
        ctx.lineWidth = (m.kind === 'signal' || m.kind === 'escalation' || m.kind === 'exit') ? 2 * devicePixelRatio : devicePixelRatio;
        ctx.setLineDash([]);
        ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
        if (m.intendedT !== undefined && Math.abs(m.intendedT - m.t) > 0.0005) {
          var xi = Math.round(u.valToPos(m.intendedT, 'x', true));
          ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
          ctx.lineWidth = devicePixelRatio;
          ctx.beginPath(); ctx.moveTo(xi, top); ctx.lineTo(xi, top + height); ctx.stroke();
        }
      });
      ctx.restore();
    }
    function shadeWindow(u) {
      if (!tl.window) return;
      var x0 = Math.max(u.bbox.left, u.valToPos(tl.window[0], 'x', true));
      var x1 = Math.min(u.bbox.left + u.bbox.width, u.valToPos(tl.window[1], 'x', true));
      if (x1 <= x0) return;
      var ctx = u.ctx;
      ctx.save();
      ctx.fillStyle = 'rgba(211, 47, 47, 0.08)';
      ctx.fillRect(x0, u.bbox.top, Math.max(1, x1 - x0), u.bbox.height);
      ctx.restore();
    }
    var syncing = false;
    // Labels are placed once the chart has its scales (uPlot's ready hook), then on every zoom.
    var ready = false;
    function syncScale(u, key) {
      if (key !== 'x' || syncing) return;
      syncing = true;
      var min = u.scales.x.min, max = u.scales.x.max;
      open.charts.forEach(function (o) { if (o !== u && (o.scales.x.min !== min || o.scales.x.max !== max)) o.setScale('x', { min: min, max: max }); });
      syncing = false;
      placeLabels();
    }

    var s = tl.series;
    var seriesOpts = [
      { label: 't', value: function (u, v) { return fmtMs(v); } },
      { label: 'requests in flight', stroke: '#1e88e5', width: 2, fill: 'rgba(30,136,229,0.08)', paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } },
      { label: 'open connections / clients', stroke: '#8e24aa', width: 1.5, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } },
    ];
    var seriesData = [s.t, s.inFlight, s.open];
    if (s.counted) {
      seriesOpts.push({ label: 'in flight (driver counters)', stroke: '#00897b', width: 1, dash: [4, 3], paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } });
      seriesData.push(s.counted);
    }
    var inflight = new uPlot({
      width: width,
      height: 170,
      cursor: { sync: { key: syncKey }, drag: { x: true, y: false } },
      scales: { x: { time: false }, y: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.1]; } } },
      axes: [
        { values: function (u, vals) { return vals.map(function (v) { return fmtMs(v).replace(' ', ''); }); } },
        { size: AXIS },
      ],
      series: seriesOpts,
      hooks: { drawClear: [shadeWindow], draw: [drawMarkers], setScale: [syncScale], ready: [function () { ready = true; placeLabels(); }] },
    }, seriesData, chartBox);
    open.charts.push(inflight);

    // Span and tick lanes: one uPlot whose y axis names the lanes; spans drawn in the draw hook.
    var ROW = 7, GAP = 8, TICK = 14;
    var layout = [];
    var y = 0;
    tl.lanes.forEach(function (lane) {
      var rowH = Math.max(2, Math.min(ROW, Math.floor(160 / lane.rows)));
      var h = lane.rows * rowH;
      layout.push({ kind: 'span', lane: lane, top: y, rowH: rowH, height: h });
      y += h + GAP;
    });
    tl.ticks.forEach(function (lane) {
      layout.push({ kind: 'tick', lane: lane, top: y, height: TICK });
      y += TICK + GAP;
    });
    var H = Math.max(y, 20);
    if (layout.length) {
      var lanes = new uPlot({
        width: width,
        height: H + 50,
        cursor: { sync: { key: syncKey }, drag: { x: true, y: false }, y: false, points: { show: false } },
        legend: { show: false },
        scales: { x: { time: false }, y: { range: [0, H] } },
        axes: [
          { values: function (u, vals) { return vals.map(function (v) { return fmtMs(v).replace(' ', ''); }); } },
          {
            size: AXIS,
            gap: 4,
            ticks: { show: false },
            grid: { show: false },
            splits: function () { return layout.map(function (l) { return H - (l.top + l.height / 2); }); },
            values: function () { return layout.map(function (l) { return l.lane.name.length > 22 ? l.lane.name.slice(0, 21) + '…' : l.lane.name; }); },
          },
        ],
        series: [{}, { show: true, stroke: 'transparent', points: { show: false } }],
        hooks: {
          drawClear: [shadeWindow],
          draw: [function (u) {
            var ctx = u.ctx;
            var pr = devicePixelRatio;
            ctx.save();
            ctx.beginPath();
            ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
            ctx.clip();
            var yPx = function (v) { return u.valToPos(H - v, 'y', true); };
            layout.forEach(function (l) {
              if (l.kind === 'span') {
                var sp = l.lane.spans;
                for (var k = 0; k < sp.length; k += 5) {
                  var x0 = u.valToPos(sp[k], 'x', true), x1 = u.valToPos(sp[k + 1], 'x', true);
                  var yy = yPx(l.top + sp[k + 2] * l.rowH);
                  var hh = Math.max(1, (l.rowH - 1) * pr);
                  ctx.fillStyle = OUTCOME_COLOR[OUTCOMES[sp[k + 3]]] || '#999';
                  ctx.fillRect(x0, yy, Math.max(pr, x1 - x0), hh);
                }
              } else {
                var tk = l.lane.ticks;
                var yt = yPx(l.top);
                for (var j = 0; j < tk.length; j += 3) {
                  var xt = u.valToPos(tk[j], 'x', true);
                  ctx.fillStyle = OUTCOME_COLOR[OUTCOMES[tk[j + 1]]] || '#999';
                  ctx.fillRect(xt - pr, yt, 2 * pr, l.height * pr);
                }
              }
            });
            ctx.restore();
            drawMarkers(u);
          }],
          setScale: [syncScale],
          setCursor: [function (u) {
            var left = u.cursor.left, top = u.cursor.top;
            if (left === undefined || left < 0 || top < 0) { tip.hide(); return; }
            var t = u.posToVal(left, 'x');
            var v = H - u.posToVal(top, 'y');
            var hit = null;
            var tolerance = (u.posToVal(left + 4, 'x') - t);
            for (var q = 0; q < layout.length && !hit; q++) {
              var l = layout[q];
              if (v < l.top - 1 || v > l.top + l.height + 1) continue;
              if (l.kind === 'span') {
                var row = Math.floor((v - l.top) / l.rowH);
                var sp = l.lane.spans;
                for (var k = 0; k < sp.length; k += 5) {
                  if (sp[k + 2] === row && sp[k] - tolerance <= t && t <= sp[k + 1] + tolerance) { hit = l.lane.labels[sp[k + 4]] + ' [' + OUTCOMES[sp[k + 3]] + ']'; break; }
                }
              } else {
                var tk = l.lane.ticks, best = Infinity;
                for (var j = 0; j < tk.length; j += 3) {
                  var dist = Math.abs(tk[j] - t);
                  if (dist <= tolerance && dist < best) { best = dist; hit = fmtMs(tk[j]) + ' ' + l.lane.labels[tk[j + 2]]; }
                }
                if (hit && l.lane.name === 'log lines') {
                  var n = parseInt(hit.slice(hit.indexOf('#') + 1), 10) - 1;
                  if (tl.logs.line[n] !== undefined) hit = fmtMs(tl.logs.t[n]) + ' ' + stripAnsi(tl.logs.line[n]).slice(0, 300);
                }
              }
            }
            if (!hit) { tip.hide(); return; }
            var rect = u.over.getBoundingClientRect();
            tip.show(hit, rect.left + left, rect.top + top);
          }],
        },
      }, [[tl.t0, tl.t1], [null, null]], laneBox);
      open.charts.push(lanes);
      lanes.over.addEventListener('mouseleave', function () { tip.hide(); });
    } else {
      add(laneBox, el('p', 'muted small', 'no requests, connections, clients, probes, files or log lines recorded'));
    }

    // Outcome legend (only the outcomes that occur).
    var used = {};
    tl.lanes.forEach(function (l) { for (var k = 3; k < l.spans.length; k += 5) used[OUTCOMES[l.spans[k]]] = 1; });
    tl.ticks.forEach(function (l) { for (var k = 1; k < l.ticks.length; k += 3) used[OUTCOMES[l.ticks[k]]] = 1; });
    var legend = el('div', 'outcome-legend small');
    Object.keys(used).forEach(function (o) {
      var sw = el('span', 'swatch');
      sw.style.background = OUTCOME_COLOR[o] || '#999';
      add(legend, add(el('span', 'legend-item'), sw, o));
    });
    if (tl.window) add(legend, add(el('span', 'legend-item'), add(el('span', 'swatch window')), 'signal → exit'));
    add(legend, el('span', 'muted', ' · drag to zoom, double-click to reset; dashed line = intended time'));
    add(container, legend);

    // Failing-check flags: at the time a detail names (`t`), else at the exit (or the end).
    var exitMarker = markers.filter(function (m) { return m.kind === 'exit'; })[0];
    var flags = [];
    failing.forEach(function (c) {
      var times = (c.details || []).map(function (x) { return x && typeof x.t === 'number' ? x.t : null; }).filter(function (t) { return t !== null; });
      var text = '✗ ' + c.name + ': expected ' + show(c.expected) + ', actual ' + show(c.actual);
      flags.push({ t: times.length ? times[0] : exitMarker ? exitMarker.t : tl.t1, text: text, cls: 'check-flag', title: c.message || text });
    });
    var labels = markers.filter(function (m) { return LABELLED[m.kind]; }).map(function (m) {
      var text = m.label;
      if ((m.kind === 'signal' || m.kind === 'escalation') && m.intendedT !== undefined) {
        var late = m.t - m.intendedT;
        text += ' ' + (late >= 0 ? '+' : '') + fmtMs(late);
      }
      return { t: m.t, text: text, cls: 'marker kind-' + m.kind, title: fmtMs(m.t) + ' ' + m.label + (m.detail ? ': ' + m.detail : ''), color: MARKER_COLOR[m.kind] };
    });

    function place(inner, items, outer) {
      var over = inflight.over;
      inner.style.left = over.offsetLeft + 'px';
      inner.style.width = over.clientWidth + 'px';
      inner.textContent = '';
      var rowsRight = [];
      var w = over.clientWidth;
      items.forEach(function (it) {
        var x = inflight.valToPos(it.t, 'x');
        var node = el('div', it.cls, it.text);
        node.title = it.title;
        if (it.color) node.style.borderLeftColor = it.color;
        var outside = !isFinite(x) || x < -1 || x > w + 1;
        node.hidden = outside;
        inner.appendChild(node);
        if (outside) return;
        var nw = node.offsetWidth;
        var left = Math.min(Math.max(0, x), Math.max(0, w - nw));
        var row = 0;
        while (rowsRight[row] !== undefined && rowsRight[row] > left - 4) row++;
        rowsRight[row] = left + nw;
        node.style.left = left + 'px';
        node.style.top = row * 20 + 'px';
      });
      outer.style.height = Math.max(1, rowsRight.length) * 20 + 4 + 'px';
    }
    function placeLabels() {
      if (!ready || !labels) return;
      place(stripInner, labels, strip);
      if (flags.length) place(checkInner, flags, checkStrip);
      else checkStrip.hidden = true;
    }
    placeLabels();

    // Event table: every marker with its intended vs actual time.
    var t = el('table', 'events small');
    var hr = el('tr');
    ['time', 'event', 'detail'].forEach(function (h) { add(hr, el('th', null, h)); });
    add(t, add(el('thead'), hr));
    var body = el('tbody');
    // The target's own output lines interleaved by time, so "got SIGTERM at +1.1 ms, wrapper
    // exited at +2.0 ms" reads in one place.
    var rowsByTime = markers.map(function (m, k) { return { t: m.t, k: k, m: m }; });
    var logs = tl.logs;
    for (var li = 0; li < logs.t.length; li++) rowsByTime.push({ t: logs.t[li], k: markers.length + li, log: li });
    rowsByTime.sort(function (a, b) { return a.t - b.t || a.k - b.k; });
    rowsByTime.forEach(function (r) {
      if (r.m) {
        var m = r.m;
        var tr = el('tr', 'kind-' + m.kind);
        var dot = el('span', 'dot');
        dot.style.background = MARKER_COLOR[m.kind] || '#999';
        add(tr, el('td', 'num', fmtMs(m.t)), add(el('td'), dot, m.label), el('td', null, m.detail || ''));
        add(body, tr);
        return;
      }
      var lr = el('tr', 'kind-log ' + (logs.stream[r.log] ? 'stderr' : 'stdout'));
      var text = el('td', 'mono');
      ansiInto(text, logs.line[r.log]);
      add(lr, el('td', 'num', fmtMs(logs.t[r.log])), el('td', 'muted', logs.stream[r.log] ? 'stderr' : 'stdout'), text);
      add(body, lr);
    });
    add(t, body);
    var evDetails = el('details', 'events-box');
    evDetails.open = rowsByTime.length <= 60;
    add(evDetails, el('summary', null, markers.length + ' events, ' + logs.t.length + ' output lines'), t);
    add(container, evDetails);
    if (tl.notes.length) add(container, el('p', 'muted small', 'Not drawn: ' + tl.notes.join('; ')));

    open.resize = function () {
      var w2 = SD.chartWidth(container);
      open.charts.forEach(function (u) { u.setSize({ width: w2, height: u.height }); });
      placeLabels();
    };
    window.addEventListener('resize', open.resize);
  }

  // ---- logs ---------------------------------------------------------------------------------------

  function renderLogs(box, tl) {
    if (!tl || !tl.logs.t.length) {
      add(box, el('p', 'muted', 'no output captured'));
      return;
    }
    var logs = tl.logs;
    var pre = el('div', 'log');
    var frag = document.createDocumentFragment();
    for (var k = 0; k < logs.t.length; k++) {
      var line = el('div', 'log-line ' + (logs.stream[k] ? 'stderr' : 'stdout'));
      add(line, el('span', 'lt', fmtMs(logs.t[k])), el('span', 'ls', logs.stream[k] ? 'err' : 'out'));
      var text = el('span', 'lx');
      ansiInto(text, logs.line[k]);
      add(line, text);
      frag.appendChild(line);
    }
    pre.appendChild(frag);
    add(box, pre);
  }

  // ANSI: SGR colour / style codes become spans with classes (or CSSOM colours for 256 / RGB);
  // every other escape sequence and control character is dropped. Text is always text.
  var ANSI_RE = /\x1b\[([0-9;:]*)([\x20-\x2f]*[@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[\x20-\x2f]*[0-~]|[\x00-\x08\x0b-\x1f\x7f]/g;
  function stripAnsi(s) { return String(s).replace(ANSI_RE, ''); }
  function color256(n) {
    if (n < 16) return null;
    if (n >= 232) { var g = 8 + (n - 232) * 10; return 'rgb(' + g + ',' + g + ',' + g + ')'; }
    var levels = [0, 95, 135, 175, 215, 255];
    var c = n - 16;
    return 'rgb(' + levels[Math.floor(c / 36)] + ',' + levels[Math.floor(c / 6) % 6] + ',' + levels[c % 6] + ')';
  }
  function ansiInto(parent, s) {
    s = String(s);
    var st = { fg: null, bg: null, fgRgb: null, bgRgb: null, b: false, d: false, i: false, u: false };
    var last = 0;
    var m;
    ANSI_RE.lastIndex = 0;
    function emit(text) {
      if (!text) return;
      if (st.fg === null && st.bg === null && !st.fgRgb && !st.bgRgb && !st.b && !st.d && !st.i && !st.u) { parent.appendChild(document.createTextNode(text)); return; }
      var span = el('span', null, text);
      var cls = [];
      if (st.fg !== null) cls.push('a-fg' + st.fg);
      if (st.bg !== null) cls.push('a-bg' + st.bg);
      if (st.b) cls.push('a-b');
      if (st.d) cls.push('a-d');
      if (st.i) cls.push('a-i');
      if (st.u) cls.push('a-u');
      span.className = cls.join(' ');
      if (st.fgRgb) span.style.color = st.fgRgb;
      if (st.bgRgb) span.style.backgroundColor = st.bgRgb;
      parent.appendChild(span);
    }
    while ((m = ANSI_RE.exec(s)) !== null) {
      emit(s.slice(last, m.index));
      last = ANSI_RE.lastIndex;
      if (m[2] !== 'm') continue;
      var codes = (m[1] || '0').split(/[;:]/).map(function (x) { return x === '' ? 0 : parseInt(x, 10); });
      for (var k = 0; k < codes.length; k++) {
        var c = codes[k];
        if (c === 0) st = { fg: null, bg: null, fgRgb: null, bgRgb: null, b: false, d: false, i: false, u: false };
        else if (c === 1) st.b = true;
        else if (c === 2) st.d = true;
        else if (c === 3) st.i = true;
        else if (c === 4) st.u = true;
        else if (c === 22) { st.b = false; st.d = false; }
        else if (c === 23) st.i = false;
        else if (c === 24) st.u = false;
        else if (c >= 30 && c <= 37) { st.fg = c - 30; st.fgRgb = null; }
        else if (c >= 90 && c <= 97) { st.fg = c - 90 + 8; st.fgRgb = null; }
        else if (c === 39) { st.fg = null; st.fgRgb = null; }
        else if (c >= 40 && c <= 47) { st.bg = c - 40; st.bgRgb = null; }
        else if (c >= 100 && c <= 107) { st.bg = c - 100 + 8; st.bgRgb = null; }
        else if (c === 49) { st.bg = null; st.bgRgb = null; }
        else if ((c === 38 || c === 48) && codes[k + 1] === 5) {
          var n = codes[k + 2] | 0;
          var rgb = color256(n);
          if (c === 38) { st.fg = rgb ? null : n; st.fgRgb = rgb; } else { st.bg = rgb ? null : n; st.bgRgb = rgb; }
          k += 2;
        } else if ((c === 38 || c === 48) && codes[k + 1] === 2) {
          var r = Math.min(255, codes[k + 2] | 0), g = Math.min(255, codes[k + 3] | 0), b = Math.min(255, codes[k + 4] | 0);
          var css = 'rgb(' + r + ',' + g + ',' + b + ')';
          if (c === 38) { st.fg = null; st.fgRgb = css; } else { st.bg = null; st.bgRgb = css; }
          k += 4;
        }
      }
    }
    emit(s.slice(last));
  }

  // ---- routing -------------------------------------------------------------------------------------

  function render() {
    closeDetail();
    main.textContent = '';
    var hash = location.hash;
    tabRuns.classList.remove('active');
    if (tabRepeats) tabRepeats.classList.remove('active');
    var m = /^#run\/(\d+)$/.exec(hash);
    if (m) {
      var i = parseInt(m[1], 10);
      add(main, buildDetail(i));
      window.scrollTo(0, 0);
      return;
    }
    if (hash === '#repeats' && tabRepeats) {
      tabRepeats.classList.add('active');
      repeatsView = repeatsView || buildRepeats();
      add(main, repeatsView);
      return;
    }
    tabRuns.classList.add('active');
    add(main, listView);
    applyFilters();
  }

  function unique(list) {
    var seen = {};
    var out = [];
    list.forEach(function (x) { if (!Object.prototype.hasOwnProperty.call(seen, x)) { seen[x] = 1; out.push(x); } });
    return out.sort();
  }

  window.addEventListener('hashchange', render);
  render();
  document.documentElement.setAttribute('data-ready', '1');
})();
