import type { Engine, EngineEnv } from './engine.js';
import { createAutocannonEngine } from './http-autocannon.js';
import type { HttpLoad } from './http-spec.js';
import { createTrackedEngine } from './http-tracked.js';

// The engine an http load runs on: `engine` when given, else autocannon with keep-alive and the
// tracked engine without (autocannon writes its next request on a socket the server answered with
// `Connection: close`, and that request is lost: measured in harness/load/README.md).
export function httpEngineOf(spec: HttpLoad): 'autocannon' | 'tracked' {
  return spec.engine ?? (spec.keepAlive ? 'autocannon' : 'tracked');
}

// Creates the http engine inside the load worker.
export function createHttpEngine(spec: HttpLoad, env: EngineEnv): Engine {
  return httpEngineOf(spec) === 'autocannon' ? createAutocannonEngine(spec, env) : createTrackedEngine(spec, env);
}
