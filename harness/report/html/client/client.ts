// shutdown-drill run report: overview (verdict counts, filters, search), repeat statistics and the
// per-run detail (timeline, checks, metrics, logs, replay command). Per-run data sits in inert
// <script type="application/json" id="sd-run-N"> blocks and is parsed only when the run is opened.
// Every value from the data is put into the page as text (textContent), never as markup.
import { ansiInto, stripAnsi } from './ansi.js';
import type { CheckResult, Lane, Marker, MarkerKind, ReportIndex, RepeatGroup, RunDetail, RunRow, TickLane, TimelineData, JsonSummary } from './data.js';
import type { Shared } from './shared.js';

type Verdict = RunRow['verdict'];
type Filter = 'q' | 'scenario' | 'verdict' | 'check';
type RootCause = NonNullable<RunDetail['rootCause']>;
type LaneLayout =
  | { kind: 'span'; lane: Lane; top: number; rowH: number; height: number }
  | { kind: 'tick'; lane: TickLane; top: number; height: number };
// A label placed over the timeline (a marker's or a failing check's).
interface Label { t: number; text: string; cls: string; title: string; color?: string }

(function () {
  const SD: Shared = window.__shutdownDrill;
  const { el, add, fmtMs, fmtPct, show } = SD;

  const index = SD.readBlock<ReportIndex>('sd-index')!;
  const runs = index.runs;
  const OUTCOMES = index.outcomes;
  const VERDICTS: Verdict[] = ['pass', 'fail', 'error', 'skipped'];
  const VERDICT_LABEL: Record<Verdict, string> = { pass: 'passed', fail: 'failed', error: 'errors', skipped: 'skipped' };
  const OUTCOME_COLOR: Record<string, string> = {
    ok: '#43a047', 'http-error': '#fb8c00', rejected: '#1e88e5', refused: '#5e35b1', reset: '#e53935',
    timeout: '#6d4c41', closed: '#9e9e9e', open: '#cfd8dc', error: '#c62828', abnormal: '#d81b60', orphan: '#ad1457',
    stdout: '#90a4ae', stderr: '#ef5350', 'not-ready': '#fbc02d', created: '#42a5f5', grew: '#26c6da', removed: '#ab47bc',
  };
  const MARKER_COLOR: Record<MarkerKind, string> = {
    spawn: '#607d8b', ready: '#2e7d32', 'not-ready': '#f9a825', service: '#90a4ae', trigger: '#ef6c00',
    signal: '#d32f2f', escalation: '#6a1b9a', exit: '#212121', orphan: '#c2185b', stop: '#795548',
    error: '#b71c1c', load: '#78909c', files: '#0288d1', note: '#9e9e9e',
  };
  // Markers that get a label above the timeline (the others are lines and table rows).
  const LABELLED: Partial<Record<MarkerKind, 1>> = { spawn: 1, ready: 1, 'not-ready': 1, trigger: 1, signal: 1, escalation: 1, exit: 1, orphan: 1, error: 1, stop: 1 };
  const outcomeColor = (i: number | undefined): string => OUTCOME_COLOR[OUTCOMES[i ?? -1] ?? ''] || '#999';

  const state: Record<Filter, string> = { q: '', scenario: '', verdict: '', check: '' };
  const app = document.getElementById('app')!;
  app.textContent = '';
  const open: { charts: uPlot[]; resize: (() => void) | null } = { charts: [], resize: null };
  const tip = SD.tooltip();

  // ---- shell ---------------------------------------------------------------------------------

  const header = el('header', 'sd-header');
  const h1 = el('h1', null, index.title);
  const suite = index.suite;
  const status = el('span', 'badge status-' + suite.status, suite.status);
  status.setAttribute('data-testid', 'suite-status');
  add(h1, ' ', status);
  const meta = el('div', 'muted small');
  meta.textContent = [
    suite.startedAt ? 'started ' + suite.startedAt : '',
    suite.tool ? suite.tool.name + ' ' + suite.tool.version : '',
    suite.machine ? suite.machine.os + ', node ' + suite.machine.node + ', ' + suite.machine.cpus + ' CPUs' : '',
    suite.containment ? 'containment ' + suite.containment + (suite.containment === 'marker' ? ' (weaker: a process that drops the marker can escape)' : '') : '',
  ].filter(Boolean).join(' · ');
  const nav = el('nav', 'tabs');
  const tabRuns = el('a', 'tab', 'Runs (' + runs.length + ')');
  tabRuns.href = '#';
  add(nav, tabRuns);
  let tabRepeats: HTMLAnchorElement | null = null;
  if (index.groups.length) {
    tabRepeats = el('a', 'tab', 'Repeats (' + index.groups.length + ')');
    tabRepeats.href = '#repeats';
    add(nav, tabRepeats);
  }
  add(header, h1, meta, nav);
  const main = el('main');
  add(app, header, main);

  // ---- overview --------------------------------------------------------------------------------

  const listView = el('section', 'list-view');
  const counts: Record<string, number> = {};
  VERDICTS.forEach((v) => { counts[v] = 0; });
  runs.forEach((r) => { counts[r.verdict] = (counts[r.verdict] || 0) + 1; });
  const countBar = el('div', 'counts');
  const total = el('button', 'count total');
  total.type = 'button';
  total.setAttribute('data-testid', 'count-all');
  add(total, el('span', 'n', runs.length), ' runs');
  total.addEventListener('click', () => setFilter('verdict', ''));
  add(countBar, total);
  const countButtons = {} as Record<Verdict, HTMLButtonElement>;
  VERDICTS.forEach((v) => {
    const b = el('button', 'count v-' + v);
    b.type = 'button';
    b.setAttribute('data-testid', 'count-' + v);
    b.setAttribute('data-verdict-count', v);
    add(b, el('span', 'n', counts[v]), ' ' + VERDICT_LABEL[v]);
    b.addEventListener('click', () => setFilter('verdict', state.verdict === v ? '' : v));
    countButtons[v] = b;
    add(countBar, b);
  });

  const filters = el('div', 'filters');
  const search = el('input', 'search');
  search.type = 'search';
  search.placeholder = 'search id, scenario, params, check…';
  search.setAttribute('aria-label', 'search runs');
  search.addEventListener('input', () => { state.q = search.value; applyFilters(); });
  const scenarios = unique(runs.map((r) => r.scenario));
  const scenarioSel = select('scenario', 'all scenarios', scenarios.map((s) => [s, s]));
  const verdictSel = select('verdict', 'all verdicts', VERDICTS.map((v) => [v, v]));
  const checkNames = unique(runs.flatMap((r) => r.checks));
  const failedNames = unique(runs.flatMap((r) => r.failing));
  const checkSel = el('select', 'filter-check');
  checkSel.setAttribute('aria-label', 'filter by check');
  add(checkSel, option('', 'all checks'));
  if (failedNames.length) {
    const g1 = el('optgroup');
    g1.label = 'failed';
    failedNames.forEach((n) => add(g1, option('failed:' + n, n + ' failed')));
    add(checkSel, g1);
  }
  if (checkNames.length) {
    const g2 = el('optgroup');
    g2.label = 'ran';
    checkNames.forEach((n) => add(g2, option('ran:' + n, n)));
    add(checkSel, g2);
  }
  checkSel.addEventListener('change', () => { state.check = checkSel.value; applyFilters(); });
  const shown = el('span', 'muted shown');
  add(filters, search, scenarioSel, verdictSel, checkSel, shown);

  const table = el('table', 'runs');
  const thead = el('thead');
  const htr = el('tr');
  ['verdict', 'run', 'scenario', 'params', 'repeat', 'time to exit', 'drain', 'failing checks'].forEach((h) => add(htr, el('th', null, h)));
  add(thead, htr);
  const tbody = el('tbody');
  add(table, thead, tbody);
  const rowEls: HTMLTableRowElement[] = [];
  const haystacks: string[] = [];
  const frag = document.createDocumentFragment();
  runs.forEach((r, i) => {
    const tr = el('tr', 'run-row v-' + r.verdict);
    tr.setAttribute('data-i', String(i));
    const a = el('a', 'run-link', r.id);
    a.href = '#run/' + i;
    const failing = el('td', 'failing');
    r.failing.forEach((n) => add(failing, el('span', 'chip fail', n)));
    if (!r.failing.length && r.reason && r.verdict !== 'pass') add(failing, el('span', 'muted', r.reason));
    const verdictCell = add(el('td'), el('span', 'badge v-' + r.verdict, r.verdict));
    // The outcome beside the verdict when it is not the plain one: a known failure, fixed, flaky.
    if (r.outcome === 'flaky' || (r.marked && r.outcome !== 'skipped')) {
      const ob = el('span', 'badge o-' + r.outcome, r.outcome === 'unexpected' ? 'unexpected' : r.outcome);
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
    tr.addEventListener('click', (ev) => {
      if (ev.target instanceof Element && ev.target.tagName === 'A') return;
      location.hash = '#run/' + i;
    });
    rowEls.push(tr);
    haystacks.push([r.id, r.scenario, r.params, r.verdict, r.outcome, r.failing.join(' '), r.checks.join(' '), r.reason || ''].join('\n').toLowerCase());
    frag.appendChild(tr);
  });
  tbody.appendChild(frag);
  const empty = el('p', 'muted empty', 'No run matches the filters.');
  add(listView, countBar, filters, table, empty);

  function option(value: string, label: string): HTMLOptionElement {
    const o = el('option', null, label);
    o.value = value;
    return o;
  }
  function select(key: Filter, allLabel: string, items: Array<[string, string]>): HTMLSelectElement {
    const s = el('select', 'filter-' + key);
    s.setAttribute('aria-label', 'filter by ' + key);
    add(s, option('', allLabel));
    items.forEach((it) => add(s, option(it[0], it[1])));
    s.addEventListener('change', () => { state[key] = s.value; applyFilters(); });
    return s;
  }
  function setFilter(key: Filter, value: string): void {
    state[key] = value;
    if (key === 'verdict') verdictSel.value = value;
    if (location.hash && location.hash !== '#') location.hash = '#';
    applyFilters();
  }
  function matches(r: RunRow, i: number): boolean {
    if (state.scenario && r.scenario !== state.scenario) return false;
    if (state.verdict && r.verdict !== state.verdict) return false;
    if (state.check) {
      const kind = state.check.slice(0, state.check.indexOf(':'));
      const name = state.check.slice(state.check.indexOf(':') + 1);
      if ((kind === 'failed' ? r.failing : r.checks).indexOf(name) === -1) return false;
    }
    if (state.q) {
      const words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
      for (const word of words) if (haystacks[i]!.indexOf(word) === -1) return false;
    }
    return true;
  }
  function applyFilters(): void {
    let n = 0;
    for (let i = 0; i < runs.length; i++) {
      const ok = matches(runs[i]!, i);
      rowEls[i]!.hidden = !ok;
      if (ok) n++;
    }
    shown.textContent = 'showing ' + n + ' of ' + runs.length;
    empty.hidden = n !== 0;
    VERDICTS.forEach((v) => countButtons[v].classList.toggle('active', state.verdict === v));
  }
  function visibleIndexes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < runs.length; i++) if (!rowEls[i]!.hidden) out.push(i);
    return out;
  }

  // ---- repeats ---------------------------------------------------------------------------------

  let repeatsView: HTMLElement | null = null;
  function buildRepeats(): HTMLElement {
    const view = el('section', 'repeats-view');
    add(view, el('h2', null, 'Repeats'),
      el('p', 'muted', 'Runs of the same scenario and parameters, repeated. Pass rate below 100% means flaky; time to exit and drain are summarized over the repeats that were judged.'));
    const t = el('table', 'groups');
    const hr = el('tr');
    ['run', 'runs', 'pass rate', 'time to exit min / p50 / p95 / max', 'drain min / p50 / p95 / max'].forEach((h) => add(hr, el('th', null, h)));
    add(t, add(el('thead'), hr));
    const body = el('tbody');
    index.groups.forEach((g: RepeatGroup) => {
      const tr = el('tr', 'group-row');
      const rate = g.rate.rate;
      const rateCell = el('td', 'num', fmtPct(rate) + ' (' + g.rate.passed + '/' + g.rate.judged + ')');
      if (rate !== null && rate > 0 && rate < 1) add(rateCell, ' ', el('span', 'badge flaky', 'flaky'));
      if (rate === 0) add(rateCell, ' ', el('span', 'badge v-fail', 'always fails'));
      add(tr, el('td', 'id', g.key), el('td', 'num', g.runs.length), rateCell, el('td', 'num', summaryText(g.tte)), el('td', 'num', summaryText(g.drain)));
      const detailTr = el('tr', 'group-detail');
      detailTr.hidden = true;
      const td = el('td');
      td.colSpan = 5;
      add(detailTr, td);
      tr.addEventListener('click', () => {
        detailTr.hidden = !detailTr.hidden;
        if (!detailTr.hidden && !td.firstChild) {
          const wrap = el('div', 'group-charts');
          const c1 = el('div', 'chart');
          const c2 = el('div', 'chart');
          add(wrap, c1, c2);
          const links = el('div', 'group-runs');
          g.runs.forEach((ri) => {
            const a = el('a', 'chip v-' + runs[ri]!.verdict, '#' + runs[ri]!.repeat + ' ' + runs[ri]!.verdict);
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
  function summaryText(s: JsonSummary | null): string {
    if (!s || !s.n) return '-';
    return [s.min, s.p50, s.p95, s.max].map(fmtMs).join(' / ');
  }

  // ---- detail ------------------------------------------------------------------------------------

  function closeDetail(): void {
    open.charts.forEach((u) => {
      try { u.destroy(); } catch { /* already gone */ }
    });
    open.charts = [];
    if (open.resize) window.removeEventListener('resize', open.resize);
    open.resize = null;
    tip.hide();
  }

  function buildDetail(i: number): HTMLElement {
    const d = SD.readBlock<RunDetail>('sd-run-' + i);
    const view = el('section', 'detail-view');
    view.setAttribute('data-run', String(i));
    if (!d) {
      add(view, el('p', 'muted', 'No such run.'));
      return view;
    }
    const run = d.run;
    const navBar = el('div', 'detail-nav');
    const back = el('a', 'back', '← all runs');
    back.href = '#';
    add(navBar, back);
    const order = visibleIndexes();
    const pos = order.indexOf(i);
    if (pos > 0) { const prev = el('a', 'prev', '‹ previous'); prev.href = '#run/' + order[pos - 1]; add(navBar, ' ', prev); }
    if (pos !== -1 && pos < order.length - 1) { const next = el('a', 'next', 'next ›'); next.href = '#run/' + order[pos + 1]; add(navBar, ' ', next); }
    add(view, navBar);

    const title = el('h2', 'run-title');
    add(title, el('span', 'badge v-' + run.verdict, run.verdict), ' ', el('span', 'run-id', run.id));
    add(view, title);
    const facts = el('dl', 'facts');
    fact(facts, 'scenario', run.scenario);
    fact(facts, 'params', index.runs[i]!.params || '-');
    fact(facts, 'seed', run.seed);
    fact(facts, 'repeat', run.repeat);
    if (run.durationMs !== undefined) fact(facts, 'duration', fmtMs(run.durationMs));
    if (run.exit) fact(facts, 'exit', 'code ' + (run.exit.code === null ? 'none' : run.exit.code) + ', signal ' + (run.exit.signal || 'none') + (run.exit.shellCode !== undefined ? ', shell status ' + run.exit.shellCode : ''));
    if (run.file) fact(facts, 'file', run.file);
    if (run.shard) fact(facts, 'shard', run.shard);
    if (run.outcome) fact(facts, 'outcome', run.outcome + (run.outcomeNote ? ': ' + run.outcomeNote : ''));
    if (run.fails && (run.fails.reason || run.fails.link)) fact(facts, 'known failure', [run.fails.reason, run.fails.link].filter(Boolean).join(' · '));
    if (run.attempts) fact(facts, 'attempts', run.attempts.map((a) => '#' + a.attempt + ' ' + a.verdict + (a.failedChecks.length ? ' (' + a.failedChecks.join(', ') + ')' : '')).join(', '));
    add(view, facts);
    if (run.reason) add(view, el('p', 'reason v-' + run.verdict, (run.errorCode ? run.errorCode + ': ' : '') + run.reason));

    const failing = run.checks.filter((c) => !c.passed);
    if (failing.length) add(view, failureBox(failing, d.rootCause));

    const tl = el('section', 'timeline');
    tl.setAttribute('data-testid', 'timeline');
    add(tl, el('h3', null, 'Timeline'));
    add(view, tl);

    add(view, el('h3', null, 'Checks'));
    add(view, checksTable(run.checks));
    add(view, el('h3', null, 'Metrics'));
    add(view, metricsTable(run.metrics || {}));
    add(view, el('h3', null, 'Replay'));
    const rep = el('div', 'replay');
    const code = el('code', 'replay-cmd', d.replay);
    const copy = el('button', 'copy', 'copy');
    copy.type = 'button';
    copy.addEventListener('click', () => {
      const done = (): void => { copy.textContent = 'copied'; setTimeout(() => { copy.textContent = 'copy'; }, 1200); };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(d.replay).then(done, () => selectText(code));
      else selectText(code);
    });
    add(rep, code, copy);
    add(view, rep);

    add(view, el('h3', null, 'Target output'));
    const logBox = el('div', 'logs');
    add(view, logBox);

    // Everything above is in the page before the charts measure their width.
    setTimeout(() => {
      if (d.timeline) renderTimeline(tl, d.timeline, failing, i);
      else add(tl, el('p', 'muted', d.historyError || 'no history'));
      renderLogs(logBox, d.timeline);
    }, 0);
    return view;
  }

  function fact(dl: HTMLElement, k: string, v: unknown): void {
    add(dl, el('dt', null, k), el('dd', null, v));
  }

  function selectText(node: Node): void {
    const range = document.createRange();
    range.selectNodeContents(node);
    const sel = window.getSelection();
    if (!sel) return;
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // The failure box: the root cause's one-line headline first, what each cause explains, every
  // failed check in a compact table (folded ones under their cause), the raw records behind a toggle.
  function failureBox(failing: CheckResult[], rc: RootCause | null): HTMLElement {
    const box = el('div', 'failing-checks');
    const byName: Record<string, CheckResult> = {};
    failing.forEach((c) => { byName[c.name] = c; });
    const causes = (rc && rc.causes) || [];
    const head = el('h3', 'headline', rc ? rc.headline : failing[0]!.name + ': ' + failing[0]!.message);
    head.setAttribute('data-testid', 'headline');
    add(box, head);
    const rows: Array<{ c: CheckResult; from: string | null; why: string | null }> = [];
    const seen: Record<string, boolean> = {};
    function row(name: string, from: string | null, why: string | null): void {
      const c = byName[name];
      if (!c || seen[name]) return;
      seen[name] = true;
      rows.push({ c, from, why });
    }
    causes.forEach((cause) => {
      row(cause.check, null, null);
      cause.explains.forEach((x) => row(x.check, cause.check, x.why));
    });
    failing.forEach((c) => row(c.name, null, null));
    const t = el('table', 'checks compact');
    const hr = el('tr');
    ['check', 'status', 'why', 'message'].forEach((h) => add(hr, el('th', null, h)));
    add(t, add(el('thead'), hr));
    const body = el('tbody');
    rows.forEach((r) => {
      const tr = el('tr', r.from ? 'folded' : 'cause');
      tr.setAttribute('data-check', r.c.name);
      add(tr, el('td', null, (r.from ? '↳ ' : '') + r.c.name), add(el('td'), el('span', 'badge status-' + r.c.status, r.c.status)),
        el('td', 'small', r.from ? 'follows from ' + r.from + ': ' + r.why : 'cause'), el('td', null, r.c.message || ''));
      add(body, tr);
    });
    add(t, body);
    add(box, el('p', 'muted small', rows.length + (rows.length === 1 ? ' check' : ' checks') + ' failed' + (causes.length ? ', ' + causes.length + (causes.length === 1 ? ' cause' : ' causes') : '')), t);
    const raw = el('details', 'records');
    add(raw, el('summary', null, 'records (expected, actual, details)'));
    rows.forEach((r) => add(raw, checkCard(r.c)));
    add(box, raw);
    return box;
  }

  function checkCard(c: CheckResult): HTMLElement {
    const card = el('div', 'check-card status-' + c.status);
    card.setAttribute('data-check', c.name);
    add(card, el('div', 'check-name', c.name + (c.status === 'error' ? ' (no evidence)' : '')));
    const grid = el('dl', 'ea');
    add(grid, el('dt', null, 'expected'), el('dd', 'expected', show(c.expected)), el('dt', null, 'actual'), el('dd', 'actual', show(c.actual)));
    add(card, grid);
    if (c.message) add(card, el('p', 'message', c.message));
    if (c.details && c.details.length) {
      const ul = el('ul', 'details');
      c.details.slice(0, 50).forEach((x) => add(ul, el('li', null, show(x))));
      if (c.details.length > 50) add(ul, el('li', 'muted', '… ' + (c.details.length - 50) + ' more'));
      add(card, ul);
    }
    return card;
  }

  function checksTable(checks: CheckResult[]): HTMLElement {
    if (!checks.length) return el('p', 'muted', 'no checks ran');
    const t = el('table', 'checks');
    const hr = el('tr');
    ['check', 'status', 'expected', 'actual', 'message'].forEach((h) => add(hr, el('th', null, h)));
    add(t, add(el('thead'), hr));
    const body = el('tbody');
    checks.forEach((c) => {
      const tr = el('tr', c.passed ? 'ok' : 'bad');
      add(tr, el('td', null, c.name), add(el('td'), el('span', 'badge status-' + c.status, c.status)), el('td', 'mono', show(c.expected)), el('td', 'mono', show(c.actual)), el('td', null, c.message || ''));
      add(body, tr);
    });
    add(t, body);
    return t;
  }

  function metricsTable(metrics: Record<string, unknown>): HTMLElement {
    const keys = Object.keys(metrics);
    if (!keys.length) return el('p', 'muted', 'no metrics');
    const t = el('table', 'metrics');
    const body = el('tbody');
    keys.forEach((k) => {
      const v = metrics[k];
      let text: string;
      if (typeof v === 'number') text = /Ms$/.test(k) ? fmtMs(v) : String(Math.round(v * 1000) / 1000);
      else if (v && typeof v === 'object') text = Object.entries(v).map(([kk, vv]) => kk + ': ' + vv).join(', ');
      else text = show(v);
      add(body, add(el('tr'), el('th', null, k), el('td', 'mono', text)));
    });
    add(t, body);
    return t;
  }

  // ---- timeline ------------------------------------------------------------------------------------

  function renderTimeline(container: HTMLElement, tl: TimelineData, failing: CheckResult[], runIndex: number): void {
    const syncKey = 'sd-run-' + runIndex;
    const markers = tl.markers;
    const AXIS = 150;
    const width = SD.chartWidth(container);

    // Label strip (DOM, positioned over the plot's x range), then the failing checks strip.
    const strip = el('div', 'marker-strip');
    const stripInner = el('div', 'strip-inner');
    add(strip, stripInner);
    const checkStrip = el('div', 'check-strip');
    const checkInner = el('div', 'strip-inner');
    add(checkStrip, checkInner);
    const chartBox = el('div', 'chart inflight');
    const laneBox = el('div', 'chart lanes');
    add(container, strip, chartBox, laneBox, checkStrip);

    function drawMarkers(u: uPlot): void {
      const ctx = u.ctx;
      const top = u.bbox.top, height = u.bbox.height;
      ctx.save();
      markers.forEach((m) => {
        const x = Math.round(u.valToPos(m.t, 'x', true));
        if (x < u.bbox.left - 1 || x > u.bbox.left + u.bbox.width + 1) return;
        ctx.strokeStyle = MARKER_COLOR[m.kind] || '#999';
        ctx.lineWidth = (m.kind === 'signal' || m.kind === 'escalation' || m.kind === 'exit') ? 2 * devicePixelRatio : devicePixelRatio;
        ctx.setLineDash([]);
        ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
        if (m.intendedT !== undefined && Math.abs(m.intendedT - m.t) > 0.0005) {
          const xi = Math.round(u.valToPos(m.intendedT, 'x', true));
          ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
          ctx.lineWidth = devicePixelRatio;
          ctx.beginPath(); ctx.moveTo(xi, top); ctx.lineTo(xi, top + height); ctx.stroke();
        }
      });
      ctx.restore();
    }
    function shadeWindow(u: uPlot): void {
      if (!tl.window) return;
      const x0 = Math.max(u.bbox.left, u.valToPos(tl.window[0], 'x', true));
      const x1 = Math.min(u.bbox.left + u.bbox.width, u.valToPos(tl.window[1], 'x', true));
      if (x1 <= x0) return;
      const ctx = u.ctx;
      ctx.save();
      ctx.fillStyle = 'rgba(211, 47, 47, 0.08)';
      ctx.fillRect(x0, u.bbox.top, Math.max(1, x1 - x0), u.bbox.height);
      ctx.restore();
    }
    let syncing = false;
    // Labels are placed once the chart has its scales (uPlot's ready hook), then on every zoom.
    let ready = false;
    function syncScale(u: uPlot, key: string): void {
      if (key !== 'x' || syncing) return;
      syncing = true;
      const min = u.scales.x!.min!, max = u.scales.x!.max!;
      open.charts.forEach((o) => { if (o !== u && (o.scales.x!.min !== min || o.scales.x!.max !== max)) o.setScale('x', { min, max }); });
      syncing = false;
      placeLabels();
    }
    const msTicks = (_u: uPlot, vals: number[]): string[] => vals.map((v) => fmtMs(v).replace(' ', ''));
    const stepped = (): uPlot.Series.PathBuilder => uPlot.paths.stepped!({ align: 1 });

    const s = tl.series;
    const seriesOpts: uPlot.Series[] = [
      { label: 't', value: (_u, v) => fmtMs(v) },
      { label: 'requests in flight', stroke: '#1e88e5', width: 2, fill: 'rgba(30,136,229,0.08)', paths: stepped(), points: { show: false } },
      { label: 'open connections / clients', stroke: '#8e24aa', width: 1.5, paths: stepped(), points: { show: false } },
    ];
    const seriesData: uPlot.AlignedData = [s.t, s.inFlight, s.open];
    if (s.counted) {
      seriesOpts.push({ label: 'in flight (driver counters)', stroke: '#00897b', width: 1, dash: [4, 3], paths: stepped(), points: { show: false } });
      seriesData.push(s.counted);
    }
    const inflight = new uPlot({
      width,
      height: 170,
      cursor: { sync: { key: syncKey }, drag: { x: true, y: false } },
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
      axes: [
        { values: msTicks },
        { size: AXIS },
      ],
      series: seriesOpts,
      hooks: { drawClear: [shadeWindow], draw: [drawMarkers], setScale: [syncScale], ready: [() => { ready = true; placeLabels(); }] },
    }, seriesData, chartBox);
    open.charts.push(inflight);

    // Span and tick lanes: one uPlot whose y axis names the lanes; spans drawn in the draw hook.
    const ROW = 7, GAP = 8, TICK = 14;
    const layout: LaneLayout[] = [];
    let y = 0;
    tl.lanes.forEach((lane) => {
      const rowH = Math.max(2, Math.min(ROW, Math.floor(160 / lane.rows)));
      const h = lane.rows * rowH;
      layout.push({ kind: 'span', lane, top: y, rowH, height: h });
      y += h + GAP;
    });
    tl.ticks.forEach((lane) => {
      layout.push({ kind: 'tick', lane, top: y, height: TICK });
      y += TICK + GAP;
    });
    const H = Math.max(y, 20);
    if (layout.length) {
      const lanes = new uPlot({
        width,
        height: H + 50,
        cursor: { sync: { key: syncKey }, drag: { x: true, y: false }, y: false, points: { show: false } },
        legend: { show: false },
        scales: { x: { time: false }, y: { range: [0, H] } },
        axes: [
          { values: msTicks },
          {
            size: AXIS,
            gap: 4,
            ticks: { show: false },
            grid: { show: false },
            splits: () => layout.map((l) => H - (l.top + l.height / 2)),
            values: () => layout.map((l) => (l.lane.name.length > 22 ? l.lane.name.slice(0, 21) + '…' : l.lane.name)),
          },
        ],
        series: [{}, { show: true, stroke: 'transparent', points: { show: false } }],
        hooks: {
          drawClear: [shadeWindow],
          draw: [(u) => {
            const ctx = u.ctx;
            const pr = devicePixelRatio;
            ctx.save();
            ctx.beginPath();
            ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
            ctx.clip();
            const yPx = (v: number): number => u.valToPos(H - v, 'y', true);
            layout.forEach((l) => {
              if (l.kind === 'span') {
                const sp = l.lane.spans;
                for (let k = 0; k < sp.length; k += 5) {
                  const x0 = u.valToPos(sp[k]!, 'x', true), x1 = u.valToPos(sp[k + 1]!, 'x', true);
                  const yy = yPx(l.top + sp[k + 2]! * l.rowH);
                  const hh = Math.max(1, (l.rowH - 1) * pr);
                  ctx.fillStyle = outcomeColor(sp[k + 3]);
                  ctx.fillRect(x0, yy, Math.max(pr, x1 - x0), hh);
                }
              } else {
                const tk = l.lane.ticks;
                const yt = yPx(l.top);
                for (let j = 0; j < tk.length; j += 3) {
                  const xt = u.valToPos(tk[j]!, 'x', true);
                  ctx.fillStyle = outcomeColor(tk[j + 1]);
                  ctx.fillRect(xt - pr, yt, 2 * pr, l.height * pr);
                }
              }
            });
            ctx.restore();
            drawMarkers(u);
          }],
          setScale: [syncScale],
          setCursor: [(u) => {
            const left = u.cursor.left, top = u.cursor.top;
            if (left === undefined || top === undefined || left < 0 || top < 0) { tip.hide(); return; }
            const t = u.posToVal(left, 'x');
            const v = H - u.posToVal(top, 'y');
            let hit: string | null = null;
            const tolerance = (u.posToVal(left + 4, 'x') - t);
            for (let q = 0; q < layout.length && !hit; q++) {
              const l = layout[q]!;
              if (v < l.top - 1 || v > l.top + l.height + 1) continue;
              if (l.kind === 'span') {
                const row = Math.floor((v - l.top) / l.rowH);
                const sp = l.lane.spans;
                for (let k = 0; k < sp.length; k += 5) {
                  if (sp[k + 2] === row && sp[k]! - tolerance <= t && t <= sp[k + 1]! + tolerance) { hit = l.lane.labels[sp[k + 4]!] + ' [' + OUTCOMES[sp[k + 3]!] + ']'; break; }
                }
              } else {
                const tk = l.lane.ticks;
                let best = Infinity;
                for (let j = 0; j < tk.length; j += 3) {
                  const dist = Math.abs(tk[j]! - t);
                  if (dist <= tolerance && dist < best) { best = dist; hit = fmtMs(tk[j]) + ' ' + l.lane.labels[tk[j + 2]!]; }
                }
                if (hit && l.lane.name === 'log lines') {
                  const n: number = parseInt(hit.slice(hit.indexOf('#') + 1), 10) - 1;
                  if (tl.logs.line[n] !== undefined) hit = fmtMs(tl.logs.t[n]) + ' ' + stripAnsi(tl.logs.line[n]).slice(0, 300);
                }
              }
            }
            if (!hit) { tip.hide(); return; }
            const rect = u.over.getBoundingClientRect();
            tip.show(hit, rect.left + left, rect.top + top);
          }],
        },
      }, [[tl.t0, tl.t1], [null, null]], laneBox);
      open.charts.push(lanes);
      lanes.over.addEventListener('mouseleave', () => tip.hide());
    } else {
      add(laneBox, el('p', 'muted small', 'no requests, connections, clients, probes, files or log lines recorded'));
    }

    // Outcome legend (only the outcomes that occur).
    const used: Record<string, 1> = {};
    tl.lanes.forEach((l) => { for (let k = 3; k < l.spans.length; k += 5) used[OUTCOMES[l.spans[k]!]!] = 1; });
    tl.ticks.forEach((l) => { for (let k = 1; k < l.ticks.length; k += 3) used[OUTCOMES[l.ticks[k]!]!] = 1; });
    const legend = el('div', 'outcome-legend small');
    Object.keys(used).forEach((o) => {
      const sw = el('span', 'swatch');
      sw.style.background = OUTCOME_COLOR[o] || '#999';
      add(legend, add(el('span', 'legend-item'), sw, o));
    });
    if (tl.window) add(legend, add(el('span', 'legend-item'), add(el('span', 'swatch window')), 'signal → exit'));
    add(legend, el('span', 'muted', ' · drag to zoom, double-click to reset; dashed line = intended time'));
    add(container, legend);

    // Failing-check flags: at the time a detail names (`t`), else at the exit (or the end).
    const exitMarker = markers.filter((m) => m.kind === 'exit')[0];
    const flags: Label[] = [];
    failing.forEach((c) => {
      const times = (c.details || []).map(detailTime).filter((t): t is number => t !== null);
      const text = '✗ ' + c.name + ': expected ' + show(c.expected) + ', actual ' + show(c.actual);
      flags.push({ t: times.length ? times[0]! : exitMarker ? exitMarker.t : tl.t1, text, cls: 'check-flag', title: c.message || text });
    });
    const labels: Label[] = markers.filter((m) => LABELLED[m.kind]).map((m: Marker) => {
      let text = m.label;
      if ((m.kind === 'signal' || m.kind === 'escalation') && m.intendedT !== undefined) {
        const late = m.t - m.intendedT;
        text += ' ' + (late >= 0 ? '+' : '') + fmtMs(late);
      }
      return { t: m.t, text, cls: 'marker kind-' + m.kind, title: fmtMs(m.t) + ' ' + m.label + (m.detail ? ': ' + m.detail : ''), color: MARKER_COLOR[m.kind] };
    });

    function place(inner: HTMLElement, items: Label[], outer: HTMLElement): void {
      const over = inflight.over;
      inner.style.left = over.offsetLeft + 'px';
      inner.style.width = over.clientWidth + 'px';
      inner.textContent = '';
      const rowsRight: number[] = [];
      const w = over.clientWidth;
      items.forEach((it) => {
        const x = inflight.valToPos(it.t, 'x');
        const node = el('div', it.cls, it.text);
        node.title = it.title;
        if (it.color) node.style.borderLeftColor = it.color;
        const outside = !isFinite(x) || x < -1 || x > w + 1;
        node.hidden = outside;
        inner.appendChild(node);
        if (outside) return;
        const nw = node.offsetWidth;
        const left = Math.min(Math.max(0, x), Math.max(0, w - nw));
        let row = 0;
        while (rowsRight[row] !== undefined && rowsRight[row]! > left - 4) row++;
        rowsRight[row] = left + nw;
        node.style.left = left + 'px';
        node.style.top = row * 20 + 'px';
      });
      outer.style.height = Math.max(1, rowsRight.length) * 20 + 4 + 'px';
    }
    function placeLabels(): void {
      if (!ready || !labels) return;
      place(stripInner, labels, strip);
      if (flags.length) place(checkInner, flags, checkStrip);
      else checkStrip.hidden = true;
    }
    placeLabels();

    // Event table: every marker with its intended vs actual time.
    const t = el('table', 'events small');
    const hr = el('tr');
    ['time', 'event', 'detail'].forEach((h) => add(hr, el('th', null, h)));
    add(t, add(el('thead'), hr));
    const body = el('tbody');
    // The target's own output lines interleaved by time, so "got SIGTERM at +1.1 ms, wrapper
    // exited at +2.0 ms" reads in one place.
    type EventRow = { t: number; k: number; m: Marker } | { t: number; k: number; log: number };
    const rowsByTime: EventRow[] = markers.map((m, k) => ({ t: m.t, k, m }));
    const logs = tl.logs;
    for (let li = 0; li < logs.t.length; li++) rowsByTime.push({ t: logs.t[li]!, k: markers.length + li, log: li });
    rowsByTime.sort((a, b) => a.t - b.t || a.k - b.k);
    rowsByTime.forEach((r) => {
      if ('m' in r) {
        const m = r.m;
        const tr = el('tr', 'kind-' + m.kind);
        const dot = el('span', 'dot');
        dot.style.background = MARKER_COLOR[m.kind] || '#999';
        add(tr, el('td', 'num', fmtMs(m.t)), add(el('td'), dot, m.label), el('td', null, m.detail || ''));
        add(body, tr);
        return;
      }
      const stream = logs.stream[r.log] ? 'stderr' : 'stdout';
      const lr = el('tr', 'kind-log ' + stream);
      const text = el('td', 'mono');
      ansiInto(text, logs.line[r.log]);
      add(lr, el('td', 'num', fmtMs(logs.t[r.log])), el('td', 'muted', stream), text);
      add(body, lr);
    });
    add(t, body);
    const evDetails = el('details', 'events-box');
    evDetails.open = rowsByTime.length <= 60;
    add(evDetails, el('summary', null, markers.length + ' events, ' + logs.t.length + ' output lines'), t);
    add(container, evDetails);
    if (tl.notes.length) add(container, el('p', 'muted small', 'Not drawn: ' + tl.notes.join('; ')));

    open.resize = () => {
      const w2 = SD.chartWidth(container);
      open.charts.forEach((u) => u.setSize({ width: w2, height: u.height }));
      placeLabels();
    };
    window.addEventListener('resize', open.resize);
  }

  // The time (`t`) a check's detail names, when it names one.
  function detailTime(x: unknown): number | null {
    if (!x || typeof x !== 'object') return null;
    const t = (x as { t?: unknown }).t;
    return typeof t === 'number' ? t : null;
  }

  // ---- logs ---------------------------------------------------------------------------------------

  function renderLogs(box: HTMLElement, tl: TimelineData | null): void {
    if (!tl || !tl.logs.t.length) {
      add(box, el('p', 'muted', 'no output captured'));
      return;
    }
    const logs = tl.logs;
    const pre = el('div', 'log');
    const frag = document.createDocumentFragment();
    for (let k = 0; k < logs.t.length; k++) {
      const line = el('div', 'log-line ' + (logs.stream[k] ? 'stderr' : 'stdout'));
      add(line, el('span', 'lt', fmtMs(logs.t[k])), el('span', 'ls', logs.stream[k] ? 'err' : 'out'));
      const text = el('span', 'lx');
      ansiInto(text, logs.line[k]);
      add(line, text);
      frag.appendChild(line);
    }
    pre.appendChild(frag);
    add(box, pre);
  }

  // ---- routing -------------------------------------------------------------------------------------

  function render(): void {
    closeDetail();
    main.textContent = '';
    const hash = location.hash;
    tabRuns.classList.remove('active');
    if (tabRepeats) tabRepeats.classList.remove('active');
    const m = /^#run\/(\d+)$/.exec(hash);
    if (m) {
      const i = parseInt(m[1]!, 10);
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

  function unique(list: string[]): string[] {
    const seen: Record<string, 1> = {};
    const out: string[] = [];
    list.forEach((x) => { if (!Object.prototype.hasOwnProperty.call(seen, x)) { seen[x] = 1; out.push(x); } });
    return out.sort();
  }

  window.addEventListener('hashchange', render);
  render();
  document.documentElement.setAttribute('data-ready', '1');
})();
