import type { RunSpec } from './schema.js';

// The longest wait Node's timers can make: a longer setTimeout fires after 1 ms instead.
export const MAX_TIMER_MS = 2 ** 31 - 1;
// The most runs one suite may have (matrix combinations x scenarios x --repeat): a 10^8-run
// matrix would take gigabytes to plan and years to run.
export const MAX_RUNS = 100_000;

// A problem with a resolved run, at a field path.
export interface LimitProblem {
  at: PropertyKey[];
  message: string;
}

// The problems of a run beyond its shape: durations past Node's timer limit or waits past the
// run's budget (`timeoutMs`), and bytes a process's command, arguments, environment or folder
// cannot hold (NUL, lone surrogates, control characters where they cannot work). Never throws.
export function runLimitProblems(spec: RunSpec): LimitProblem[] {
  const out: LimitProblem[] = [];
  durations(spec, [], false, out);
  budget(spec, out);
  processText(spec, out);
  return out;
}

// Every number under a field whose name ends in `Ms` (`afterReadyMs`, `timeToExitMs.max`,
// `randomInMs[1]`, new fields alike) is a duration and must fit Node's timers.
function durations(value: unknown, at: PropertyKey[], inMs: boolean, out: LimitProblem[]): void {
  if (typeof value === 'number') {
    if (inMs && value > MAX_TIMER_MS) out.push({ at, message: `must be at most ${MAX_TIMER_MS} ms (Node's timer limit, about 24.8 days), got ${value}: a longer timer would fire at once` });
    return;
  }
  if (!value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => durations(v, [...at, i], inMs, out));
    return;
  }
  for (const [k, v] of Object.entries(value)) durations(v, [...at, k], inMs || /Ms$/.test(k), out);
}

// Waits that begin inside the run must end before its budget does, or they are never reached.
function budget(spec: RunSpec, out: LimitProblem[]): void {
  const limit = spec.timeoutMs;
  const over = (at: PropertyKey[], value: number | undefined, what: string): void => {
    if (value !== undefined && value >= limit) out.push({ at, message: `${what} ${value} ms, not less than the run's budget \`timeoutMs\` (${limit} ms): the run would time out first; raise timeoutMs or shorten the wait` });
  };
  const at = spec.strike?.at as Record<string, unknown> | undefined;
  if (at) {
    for (const key of ['afterReadyMs', 'afterSpawnMs', 'delayMs'] as const) {
      if (typeof at[key] === 'number') over(['strike', 'at', key], at[key], 'the strike waits');
    }
    const window = at['randomInMs'];
    if (Array.isArray(window) && typeof window[1] === 'number') over(['strike', 'at', 'randomInMs', 1], window[1], 'the strike may wait');
    const sweep = at['sweep'] as { toMs?: unknown } | undefined;
    if (sweep && typeof sweep.toMs === 'number') over(['strike', 'at', 'sweep', 'toMs'], sweep.toMs, 'the sweep may strike');
  }
  const steps = spec.strike?.signal;
  if (Array.isArray(steps)) {
    let sum = 0;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      if (!step || typeof step !== 'object') continue;
      sum += step.afterMs;
      if (sum >= limit) {
        over(['strike', 'signal', i, 'afterMs'], sum, 'the signal steps wait');
        break;
      }
    }
  }
  over(['expect', 'stillRunning', 'forMs'], spec.expect.stillRunning?.forMs, 'the still-running check waits');
}

// The strings handed to the OS to start a process (target, services, inspect commands) and the
// paths the harness opens.
function processText(spec: RunSpec, out: LimitProblem[]): void {
  const processes: Array<[PropertyKey[], { command: string; args: string[]; cwd?: string | undefined; env?: Record<string, string> }]> = [
    [['target'], spec.target],
    ...spec.services.map((s, i): [PropertyKey[], typeof s] => [['services', i], s]),
    ...(spec.expect.inspect ?? []).map((s, i): [PropertyKey[], typeof s] => [['expect', 'inspect', i], s]),
  ];
  for (const [base, p] of processes) {
    text(out, [...base, 'command'], p.command, 'name');
    p.args.forEach((a, i) => text(out, [...base, 'args', i], a, 'free'));
    if (p.cwd !== undefined) text(out, [...base, 'cwd'], p.cwd, 'name');
    for (const [k, v] of Object.entries(p.env ?? {})) {
      if (k === '' || k.includes('=')) out.push({ at: [...base, 'env'], message: `the variable name ${JSON.stringify(k)} is not allowed: a name must be non-empty and hold no "="` });
      else text(out, [...base, 'env'], k, 'name', `the variable name ${JSON.stringify(k)}`);
      text(out, [...base, 'env', k], v, 'free', 'the value', true);
    }
  }
  const paths: Array<[PropertyKey[], unknown]> = [
    [['target', 'ready', 'file'], spec.target.ready?.file],
    [['strike', 'at', 'onFile'], (spec.strike?.at as { onFile?: unknown } | undefined)?.onFile],
    [['expect', 'filesDir'], spec.expect.filesDir],
    ...(spec.expect.filesAbsent ?? []).map((f, i): [PropertyKey[], unknown] => [['expect', 'filesAbsent', i], f]),
    ...(spec.expect.filesIntact ?? []).map((f, i): [PropertyKey[], unknown] => (typeof f === 'string' ? [['expect', 'filesIntact', i], f] : [['expect', 'filesIntact', i, 'path'], f.path])),
  ];
  for (const [at, v] of paths) if (typeof v === 'string') text(out, at, v, 'name');
}

// `name`: a command, folder or variable name (no control characters at all); `free`: an argument
// or value (any character the OS can pass). Never NUL, never a lone surrogate. A secret value is never
// echoed: only the position and the code of the bad character.
function text(out: LimitProblem[], at: PropertyKey[], value: string, kind: 'name' | 'free', what = 'the text', secret = false): void {
  const nul = value.indexOf('\0');
  if (nul >= 0) {
    out.push({ at, message: `${what} holds a NUL byte (\\0) at index ${nul}: a process's command, arguments, environment and paths cannot hold one` });
    return;
  }
  const lone = loneSurrogate(value);
  if (lone >= 0) {
    out.push({ at, message: `${what} is not valid Unicode: a lone surrogate at index ${lone} (${secret ? 'hidden' : `\\u${value.charCodeAt(lone).toString(16)}`}); write the text as UTF-8` });
    return;
  }
  const m = kind === 'name' ? /[\u0001-\u001f\u007f]/.exec(value) : null;
  if (m) out.push({ at, message: `${what} holds the control character \\u${m[0].charCodeAt(0).toString(16).padStart(4, '0')} at index ${m.index}: a command, folder or variable name cannot work with one` });
}

// The index of the first UTF-16 surrogate without its pair, or -1.
function loneSurrogate(value: string): number {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = value.charCodeAt(i + 1);
    if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return i;
    i++;
  }
  return -1;
}
