// Statistics for repeats and release comparison: summaries, quantiles and two small tests
// (Mann-Whitney U for timings, Fisher's exact test for pass rates). Pure functions, no I/O.

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

// Summarizes the finite values (non-finite ones are ignored); every field is NaN when none is left.
export function summarize(values: readonly number[]): Summary {
  const sorted = finiteSorted(values);
  const n = sorted.length;
  if (n === 0) return { n: 0, min: NaN, p50: NaN, p95: NaN, max: NaN, mean: NaN };
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n,
    min: sorted[0]!,
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    max: sorted[n - 1]!,
    mean: sum / n,
  };
}

// The q-quantile (0..1) of ascending `sorted` by linear interpolation between order statistics
// (Hyndman-Fan type 7, the default of R and NumPy); NaN for an empty list.
export function quantileSorted(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

// The finite values, ascending.
export function finiteSorted(values: readonly number[]): number[] {
  return values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
}

export interface MannWhitney {
  // Pairs (x, y) with y > x, ties counted one half.
  u: number;
  // One-sided p-value of "y tends to be larger than x"; 1 when either sample is empty.
  p: number;
  exact: boolean;
}

// One-sided Mann-Whitney U test that `y` is stochastically larger than `x`. Exact (enumerating the
// rank-sum distribution) when there are no ties and at most 60 values in all; otherwise the normal
// approximation with tie and continuity corrections.
export function mannWhitneyGreater(x: readonly number[], y: readonly number[]): MannWhitney {
  const a = finiteSorted(x);
  const b = finiteSorted(y);
  const m = a.length;
  const n = b.length;
  if (m === 0 || n === 0) return { u: 0, p: 1, exact: false };
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((p, q) => p.v - q.v);
  const N = m + n;
  const ranks = new Array<number>(N);
  let tieTerm = 0;
  for (let i = 0; i < N; ) {
    let j = i;
    while (j + 1 < N && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[k] = rank;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  let rankSumY = 0;
  for (let k = 0; k < N; k++) if (all[k]!.g === 1) rankSumY += ranks[k]!;
  const u = rankSumY - (n * (n + 1)) / 2;
  if (tieTerm === 0 && N <= 60) {
    // P(U >= u): the rank sum of y is >= the observed one.
    const dist = rankSumDistribution(n, N);
    const observed = Math.round(rankSumY);
    let tail = 0;
    let total = 0;
    for (let s = 0; s < dist.length; s++) {
      total += dist[s]!;
      if (s >= observed) tail += dist[s]!;
    }
    return { u, p: Math.min(1, tail / total), exact: true };
  }
  const mean = (m * n) / 2;
  const variance = ((m * n) / 12) * (N + 1 - tieTerm / (N * (N - 1)));
  if (variance <= 0) return { u, p: 1, exact: false };
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return { u, p: 1 - normalCdf(z), exact: false };
}

// Counts of k-subsets of the ranks 1..N by their sum (index = sum).
function rankSumDistribution(k: number, N: number): number[] {
  const maxSum = (N * (N + 1)) / 2;
  const dp: number[][] = Array.from({ length: k + 1 }, () => new Array<number>(maxSum + 1).fill(0));
  dp[0]![0] = 1;
  for (let r = 1; r <= N; r++) {
    for (let j = Math.min(r, k); j >= 1; j--) {
      const row = dp[j]!;
      const prev = dp[j - 1]!;
      for (let s = maxSum; s >= r; s--) {
        const add = prev[s - r]!;
        if (add) row[s]! += add;
      }
    }
  }
  return dp[k]!;
}

// The standard normal CDF (Abramowitz-Stegun 7.1.26 via erf; absolute error < 1.5e-7).
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

// One-sided Fisher exact test that the second pass rate is lower than the first:
// P(passes in the second sample <= observed) given the total passes. 1 when either sample is empty.
export function fisherLower(passA: number, totalA: number, passB: number, totalB: number): number {
  if (totalA <= 0 || totalB <= 0) return 1;
  const N = totalA + totalB;
  const K = passA + passB;
  const lo = Math.max(0, K - totalA);
  let p = 0;
  for (let x = lo; x <= passB; x++) p += Math.exp(logChoose(K, x) + logChoose(N - K, totalB - x) - logChoose(N, totalB));
  return Math.min(1, p);
}

function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials[i] = logFactorials[i - 1]! + Math.log(i);
  return logFactorials[n]!;
}
