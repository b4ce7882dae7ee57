// Summaries of benchmark samples (milliseconds unless said otherwise).

export interface Summary {
  n: number;
  min: number;
  median: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

const r4 = (v: number): number => Math.round(v * 10_000) / 10_000;

// The q-quantile (0..1) of already sorted values, by linear interpolation; NaN when empty.
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

// n, min, median, p95, p99, max and mean of the samples (rounded to 0.1 µs); NaNs when empty.
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : Number.NaN;
  return {
    n: sorted.length,
    min: r4(sorted[0] ?? Number.NaN),
    median: r4(quantileSorted(sorted, 0.5)),
    p95: r4(quantileSorted(sorted, 0.95)),
    p99: r4(quantileSorted(sorted, 0.99)),
    max: r4(sorted[sorted.length - 1] ?? Number.NaN),
    mean: r4(mean),
  };
}

// Rounds for display and JSON: 4 decimals below 10, 2 below 1000, integers above.
export function round(v: number): number {
  if (!Number.isFinite(v)) return v;
  const a = Math.abs(v);
  if (a < 10) return Math.round(v * 10_000) / 10_000;
  if (a < 1000) return Math.round(v * 100) / 100;
  return Math.round(v);
}
