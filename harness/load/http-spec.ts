import type { LoadSpec } from '../scenario/schema.js';

// An http load as the scenario gives it; shared by the http engines (http-engine.ts picks one).
export type HttpLoad = Extract<LoadSpec, { http: unknown }>['http'];

// After ECONNREFUSED a connection waits this long before it tries again (autocannon would spin
// on a closed port at tens of thousands of attempts per second).
export const REFUSED_BACKOFF_MS = 10;
