import type { CheckDefinition } from './types.js';

// The load checks (drain, new-work-rejected, no-reset, readiness-flip, ws-close-codes, ws-goodbye,
// error-rate), in report order. Each lives in its own file beside this one.
export const loadChecks: CheckDefinition[] = [];
