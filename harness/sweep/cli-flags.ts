import { HarnessError } from '../errors.js';
import { parseAnchor, type SweepFlags } from './plans.js';

// The flags `shutdown-drill sweep` adds to run's (node:util parseArgs options).
export const SWEEP_OPTIONS = {
  'from-ms': { type: 'string' }, 'to-ms': { type: 'string' }, 'resolution-ms': { type: 'string' }, repeats: { type: 'string' },
  'max-runs': { type: 'string' }, anchor: { type: 'string' }, 'at-ms': { type: 'string' },
} as const;

// The sweep flags from parsed values; a malformed number is a USAGE error naming its flag.
export function sweepFlags(values: Record<string, unknown>): SweepFlags {
  const num = (name: string, integer: boolean): number | undefined => {
    const v = values[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (String(v).trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
      throw new HarnessError('USAGE', `--${name} must be a ${integer ? 'non-negative integer' : 'non-negative number'}, got "${String(v)}"`);
    }
    return n;
  };
  const flags: SweepFlags = {};
  const set = <K extends keyof SweepFlags>(key: K, value: SweepFlags[K] | undefined): void => {
    if (value !== undefined) flags[key] = value;
  };
  set('fromMs', num('from-ms', false));
  set('toMs', num('to-ms', false));
  set('resolutionMs', num('resolution-ms', false));
  set('repeats', num('repeats', true));
  set('maxRuns', num('max-runs', true));
  set('atMs', num('at-ms', false));
  if (typeof values['anchor'] === 'string') flags.anchor = parseAnchor(values['anchor']);
  return flags;
}
