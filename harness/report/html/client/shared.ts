// shutdown-drill report helpers shared by the run report (client.ts), its sweeps (sweep-client.ts)
// and the compare page (compare-client.ts). Its own bundle, inlined first, sets
// window.__shutdownDrill; the page scripts after it read it from there (they import only its type).
// Data is only ever put into the page with textContent / createTextNode, never as markup.

// A child for add(): a node, text (numbers as text), or nothing (skipped).
export type Child = Node | string | number | null | undefined | false;

// An element with a class and text (text is set as text, never parsed as HTML).
function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string | null, text?: unknown): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

// Appends children (nodes or strings, strings as text) and returns the parent.
function add<P extends Node>(parent: P, ...children: Child[]): P {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return parent;
}

// Milliseconds for humans ('-' for no value).
function fmtMs(v: number | null | undefined): string {
  if (v === null || v === undefined || typeof v !== 'number' || !isFinite(v)) return '-';
  const a = Math.abs(v);
  if (a < 10) return v.toFixed(2) + ' ms';
  if (a < 100) return v.toFixed(1) + ' ms';
  if (a < 10000) return Math.round(v) + ' ms';
  return (v / 1000).toFixed(2) + ' s';
}

// A fraction as a percentage with one decimal ('-' for no value).
function fmtPct(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !isFinite(rate)) return '-';
  return Math.round(rate * 1000) / 10 + '%';
}

// One line of JSON-ish text for an expected / actual value.
function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

// The width a chart in this container gets (at least 320 px).
function chartWidth(container: HTMLElement): number {
  const parent = container.parentNode as HTMLElement | null;
  const w = container.clientWidth || (parent && parent.clientWidth) || 800;
  return Math.max(320, w - 4);
}

// The parsed JSON of the page's data block with this id; null when the page has no such block.
function readBlock<T>(id: string): T | null {
  const node = document.getElementById(id);
  return node ? (JSON.parse(node.textContent ?? 'null') as T) : null;
}

export interface EcdfSeries {
  label: string;
  values: Array<number | null>;
  color: string;
}

export interface EcdfOptions {
  title?: string;
  width?: number;
  height?: number;
  xLabel?: string;
}

// An empirical CDF chart (uPlot) of several samples: x = value (ms), y = fraction of the sample
// at or below x. Returns the uPlot instance, or null (and says so in the container) when no
// sample has a value.
function ecdfChart(container: HTMLElement, series: EcdfSeries[], opts: EcdfOptions = {}): uPlot | null {
  const finite = (v: number | null): v is number => typeof v === 'number' && isFinite(v);
  const xs: number[] = [];
  series.forEach((s) => s.values.forEach((v) => { if (finite(v)) xs.push(v); }));
  xs.sort((a, b) => a - b);
  const uniq: number[] = [];
  xs.forEach((v) => { if (uniq.length === 0 || uniq[uniq.length - 1] !== v) uniq.push(v); });
  if (uniq.length === 0) {
    add(container, el('p', 'muted', 'no samples'));
    return null;
  }
  const data: uPlot.AlignedData = [uniq, ...series.map((s) => {
    const sorted = s.values.filter(finite).sort((a, b) => a - b);
    let k = 0;
    return uniq.map((x) => {
      while (k < sorted.length && sorted[k]! <= x) k++;
      return sorted.length ? k / sorted.length : null;
    });
  })];
  const options: uPlot.Options = {
    ...(opts.title === undefined ? {} : { title: opts.title }),
    width: opts.width || chartWidth(container),
    height: opts.height || 200,
    scales: {
      x: { time: false, range: (_u, min, max) => { const pad = (max - min) * 0.05 || Math.max(1, Math.abs(min) * 0.05); return [min - pad, max + pad]; } },
      y: { range: [0, 1.02] },
    },
    axes: [
      { label: opts.xLabel || 'ms', values: (_u, vals) => vals.map((v) => fmtMs(v).replace(' ', '')) },
      { label: 'fraction ≤ x', values: (_u, vals) => vals.map((v) => Math.round(v * 100) + '%') },
    ],
    series: [{ label: 'ms', value: (_u, v) => fmtMs(v) }, ...series.map((s): uPlot.Series => ({
      label: s.label + ' (n=' + s.values.length + ')',
      stroke: s.color,
      width: 2,
      paths: uPlot.paths.stepped!({ align: 1 }),
      points: { show: true, size: 5, fill: s.color },
      value: (_u, v) => fmtPct(v),
    }))],
  };
  return new uPlot(options, data, container);
}

export interface Tooltip {
  show(text: string, x: number, y: number): void;
  hide(): void;
  el: HTMLDivElement;
}

// Lightweight tooltip that follows the pointer (text only).
function tooltip(): Tooltip {
  const tip = el('div', 'sd-tip');
  tip.hidden = true;
  document.body.appendChild(tip);
  return {
    show(text, x, y) {
      tip.textContent = text;
      tip.hidden = false;
      const w = tip.offsetWidth;
      const left = Math.min(window.innerWidth - w - 8, x + 12);
      tip.style.left = Math.max(4, left) + 'px';
      tip.style.top = (y + 14) + 'px';
    },
    hide() { tip.hidden = true; },
    el: tip,
  };
}

const shared = { el, add, fmtMs, fmtPct, show, ecdfChart, chartWidth, tooltip, readBlock };

// What the page scripts get from window.__shutdownDrill.
export type Shared = typeof shared;

declare global {
  interface Window {
    __shutdownDrill: Shared;
  }
}

window.__shutdownDrill = shared;
