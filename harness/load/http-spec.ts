import type { LoadKindSpec } from './kind-registry.js';

// An http load as the scenario gives it (kinds/http.ts); shared by the http engines.
export type HttpLoad = LoadKindSpec<'http'>;

// The engine an http load runs on: `engine` when given, else autocannon with keep-alive and the
// tracked engine without (autocannon writes its next request on a socket the server answered with
// `Connection: close`, and that request is lost: measured in harness/load/README.md).
export function httpEngineOf(spec: HttpLoad): 'autocannon' | 'tracked' {
  return spec.engine ?? (spec.keepAlive ? 'autocannon' : 'tracked');
}

// After ECONNREFUSED a connection waits this long before it tries again (autocannon would spin
// on a closed port at tens of thousands of attempts per second).
export const REFUSED_BACKOFF_MS = 10;
