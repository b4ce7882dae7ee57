// One monotonic clock per run. Times are milliseconds (fractional, microsecond resolution) since
// the run's origin, read from CLOCK_MONOTONIC via process.hrtime.bigint(), which every thread and
// every process on the machine shares, so worker threads and child processes can stamp events on
// the same time line by receiving the origin as a string.

// A run's time origin and a reader of "milliseconds since origin".
export class Clock {
  readonly origin: bigint;
  // Wall-clock time at the origin, for humans only; never used for durations.
  readonly originWall: string;

  constructor(origin: bigint = process.hrtime.bigint()) {
    this.origin = origin;
    this.originWall = new Date().toISOString();
  }

  // Milliseconds since origin, rounded to the microsecond.
  now(): number {
    return toMs(process.hrtime.bigint() - this.origin);
  }

  // Converts an absolute hrtime reading to milliseconds since origin.
  at(hr: bigint): number {
    return toMs(hr - this.origin);
  }
}

// Rounds a nanosecond difference to milliseconds with three decimals.
export function toMs(ns: bigint): number {
  return Math.round(Number(ns) / 1000) / 1000;
}

// A clock that reads the same origin in another thread or process.
export function clockFromOrigin(origin: string): Clock {
  return new Clock(BigInt(origin));
}

// Rounds milliseconds to the microsecond (three decimals), as every time in a history is.
export function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

// The JSON text of a run-clock time (milliseconds rounded to the microsecond, as now() gives them):
// exactly what JSON.stringify writes for it, made from its integer microseconds. A load worker
// writes four times per recorded operation into its history segment; V8's shortest-double
// formatting took 150 ns a time there, the integer's 30 ns. Any other number (not on the
// microsecond grid, negative, beyond 10^12 ms) is written by String(), as JSON does.
export function msJson(t: number): string {
  const us = Math.round(t * 1000);
  if (!(us >= 0 && us < 1e15) || us / 1000 !== t) return String(t);
  const whole = Math.floor(us / 1000);
  const frac = us - whole * 1000;
  if (frac === 0) return `${whole}`;
  // Three decimals without the trailing zeros: the shortest text that reads back as t (on this
  // range doubles are far closer together than 0.001, so no shorter one does).
  if (frac % 100 === 0) return `${whole}.${frac / 100}`;
  if (frac % 10 === 0) return `${whole}.${frac < 100 ? '0' : ''}${frac / 10}`;
  return `${whole}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}`;
}
