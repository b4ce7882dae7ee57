import { afterReady } from './after-ready.js';
import { afterResponses } from './after-responses.js';
import { afterSpawn } from './after-spawn.js';
import { inFlightAtLeast } from './in-flight-at-least.js';
import { onFile } from './on-file.js';
import { onLog } from './on-log.js';
import { randomIn } from './random-in.js';
import { sweep } from './sweep.js';
import { wsAllConnected } from './ws-all-connected.js';

// The registry: every trigger kind, one line each, in the order of the schema's union (and of the
// README reference). A new trigger is its own file (kind.ts says what it holds) plus one line here.
export const triggerKinds = [
  afterReady,
  afterSpawn,
  onLog,
  onFile,
  randomIn,
  afterResponses,
  inFlightAtLeast,
  wsAllConnected,
  sweep,
] as const;
