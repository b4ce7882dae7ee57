// shutdown-drill report helpers shared by the run report (client.js) and the compare page
// (compare-client.js). Plain browser JavaScript, inlined into the page; no network, no modules.
// Data is only ever put into the page with textContent / createTextNode, never as markup.
(function () {
  'use strict';

  // An element with a class and text (text is set as text, never parsed as HTML).
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // Appends children (nodes or strings, strings as text) and returns the parent.
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return parent;
  }

  // Milliseconds for humans.
  function fmtMs(v) {
    if (v === null || v === undefined || typeof v !== 'number' || !isFinite(v)) return '-';
    var a = Math.abs(v);
    if (a < 10) return v.toFixed(2) + ' ms';
    if (a < 100) return v.toFixed(1) + ' ms';
    if (a < 10000) return Math.round(v) + ' ms';
    return (v / 1000).toFixed(2) + ' s';
  }

  function fmtPct(rate) {
    if (rate === null || rate === undefined || !isFinite(rate)) return '-';
    return Math.round(rate * 1000) / 10 + '%';
  }

  // One line of JSON-ish text for an expected / actual value.
  function show(value) {
    if (value === undefined) return 'undefined';
    if (typeof value === 'string') return value;
    try { return JSON.stringify(value); } catch (e) { return String(value); }
  }

  function chartWidth(container) {
    var w = container.clientWidth || (container.parentNode && container.parentNode.clientWidth) || 800;
    return Math.max(320, w - 4);
  }

  // An empirical CDF chart (uPlot) of several samples: x = value (ms), y = fraction of the sample
  // at or below x. `series` = [{label, values, color}]. Returns the uPlot instance.
  function ecdfChart(container, series, opts) {
    opts = opts || {};
    var xs = [];
    series.forEach(function (s) { s.values.forEach(function (v) { if (typeof v === 'number' && isFinite(v)) xs.push(v); }); });
    xs.sort(function (a, b) { return a - b; });
    var uniq = [];
    xs.forEach(function (v) { if (uniq.length === 0 || uniq[uniq.length - 1] !== v) uniq.push(v); });
    if (uniq.length === 0) {
      add(container, el('p', 'muted', 'no samples'));
      return null;
    }
    var data = [uniq];
    series.forEach(function (s) {
      var sorted = s.values.filter(function (v) { return typeof v === 'number' && isFinite(v); }).sort(function (a, b) { return a - b; });
      var k = 0;
      data.push(uniq.map(function (x) {
        while (k < sorted.length && sorted[k] <= x) k++;
        return sorted.length ? k / sorted.length : null;
      }));
    });
    var u = new uPlot({
      title: opts.title,
      width: opts.width || chartWidth(container),
      height: opts.height || 200,
      scales: {
        x: { time: false, range: function (u, min, max) { var pad = (max - min) * 0.05 || Math.max(1, Math.abs(min) * 0.05); return [min - pad, max + pad]; } },
        y: { range: [0, 1.02] },
      },
      axes: [
        { label: opts.xLabel || 'ms', values: function (u, vals) { return vals.map(function (v) { return fmtMs(v).replace(' ', ''); }); } },
        { label: 'fraction ≤ x', values: function (u, vals) { return vals.map(function (v) { return Math.round(v * 100) + '%'; }); } },
      ],
      series: [{ label: 'ms', value: function (u, v) { return fmtMs(v); } }].concat(series.map(function (s) {
        return {
          label: s.label + ' (n=' + s.values.length + ')',
          stroke: s.color,
          width: 2,
          paths: uPlot.paths.stepped({ align: 1 }),
          points: { show: true, size: 5, fill: s.color },
          value: function (u, v) { return fmtPct(v); },
        };
      })),
    }, data, container);
    return u;
  }

  // Lightweight tooltip that follows the pointer (text only).
  function tooltip() {
    var tip = el('div', 'sd-tip');
    tip.hidden = true;
    document.body.appendChild(tip);
    return {
      show: function (text, x, y) {
        tip.textContent = text;
        tip.hidden = false;
        var w = tip.offsetWidth;
        var left = Math.min(window.innerWidth - w - 8, x + 12);
        tip.style.left = Math.max(4, left) + 'px';
        tip.style.top = (y + 14) + 'px';
      },
      hide: function () { tip.hidden = true; },
      el: tip,
    };
  }

  window.__shutdownDrill = { el: el, add: add, fmtMs: fmtMs, fmtPct: fmtPct, show: show, ecdfChart: ecdfChart, chartWidth: chartWidth, tooltip: tooltip };
})();
