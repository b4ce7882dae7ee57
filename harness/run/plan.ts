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
// that sanitize alike apart), never `..` or absolute.
export function runDirName(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._=+-]+/g, '_').replace(/^[._]+/, '').slice(0, 120) || 'run';
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return `${safe}-${(h >>> 0).toString(16).padStart(8, '0')}`;
}
