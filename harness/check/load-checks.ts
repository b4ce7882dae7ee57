import { drain } from './drain.js';
import { errorRate } from './error-rate.js';
import { newWorkRejected } from './new-work-rejected.js';
import { noReset } from './no-reset.js';
import { readinessFlip } from './readiness-flip.js';
import type { CheckDefinition } from './types.js';
import { wsCloseCodes } from './ws-close-codes.js';
import { wsGoodbye } from './ws-goodbye.js';

// The load checks (drain, new-work-rejected, no-reset, readiness-flip, ws-close-codes, ws-goodbye,
// error-rate), in report order. Each lives in its own file beside this one.
export const loadChecks: CheckDefinition[] = [drain, newWorkRejected, noReset, readinessFlip, wsCloseCodes, wsGoodbye, errorRate];
