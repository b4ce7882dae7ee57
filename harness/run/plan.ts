import { createHmac, randomBytes } from 'node:crypto';
import { redact } from '../redact.js';
import type { Params, RunSpec } from '../scenario/schema.js';

// One run to execute: a scenario's matrix combination at one repeat.
export interface RunPlan {
  // Unique in the suite: `<name>` or `<name>#<repeat>` when repeating.
  id: string;
  // `<scenario>[k=v,...]`
  name: string;
  scenario: string;
  params: Params;
  spec: RunSpec;
  // Scenario file relative to the cwd, and its folder (absolute).
  file: string;
  dir: string;
  repeat: number;
  seed: number;
}

// A folder name for a run id: readable, filesystem-safe, unique (a short hash keeps distinct ids
// that sanitize alike apart), never `..` or absolute. It never carries a secret: an id holding one
// is named from its redacted form, and its hash is keyed with a per-process random key (so the
// name cannot confirm a guessed secret).
export function runDirName(id: string): string {
  const shown = redact(id);
  const safe = shown.replace(/[^A-Za-z0-9._=+-]+/g, '_').replace(/^[._]+/, '').slice(0, 120) || 'run';
  if (shown !== id) return `${safe}-${createHmac('sha256', DIR_KEY).update(id).digest('hex').slice(0, 8)}`;
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return `${safe}-${(h >>> 0).toString(16).padStart(8, '0')}`;
}
const DIR_KEY = randomBytes(16);
