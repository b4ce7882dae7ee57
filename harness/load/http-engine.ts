import type { Engine, EngineEnv } from './engine.js';
import { createAutocannonEngine } from './http-autocannon.js';
import { httpEngineOf, type HttpLoad } from './http-spec.js';
import { createTrackedEngine } from './http-tracked.js';

// Creates the http engine inside the load worker.
export function createHttpEngine(spec: HttpLoad, env: EngineEnv): Engine {
  return httpEngineOf(spec) === 'autocannon' ? createAutocannonEngine(spec, env) : createTrackedEngine(spec, env);
}
