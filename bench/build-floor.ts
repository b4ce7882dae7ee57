import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fixture, floorSource } from './paths.js';

// The programs every exit-detection figure measures against, built for this machine.
export interface Floor {
  // The compiler used (`cc --version` first line), or null when there is none.
  cc: string | null;
  // The instant-exit target: C when cc exists, else a Node fallback (same contract, slower).
  target: { command: string; args: string[]; kind: 'c' | 'node' };
  // The C fork/exec/kill/waitpid floor, or null without cc.
  waitpid: string | null;
  // The bash `kill; wait` floor (always available where bash is).
  bash: string;
  notes: string[];
}

// Builds the floor programs with the system compiler into `binDir` (when cc exists) and says
// what was used. Throws only when cc exists but a build fails (the message has cc's output).
export function buildFloor(binDir: string): Floor {
  const notes: string[] = [];
  const bash = floorSource('kill-wait.sh');
  const version = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    notes.push('no C compiler (cc) on PATH: the C waitpid floor is not available and the instant target is a Node script; the bash floor is the only floor');
    return { cc: null, target: { command: process.execPath, args: [fixture('instant-target.mjs')], kind: 'node' }, waitpid: null, bash, notes };
  }
  fs.mkdirSync(binDir, { recursive: true });
  const build = (name: string): string => {
    const out = path.join(binDir, name);
    const src = floorSource(`${name}.c`);
    const r = spawnSync('cc', ['-O2', '-Wall', '-o', out, src], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bench: \`cc -O2 -o ${out} ${src}\` failed (exit ${r.status}): ${(r.stderr || r.stdout || String(r.error)).trim()}`);
    return out;
  };
  const target = build('instant-target');
  const waitpid = build('waitpid');
  return { cc: version.stdout.split('\n')[0]!.trim(), target: { command: target, args: [], kind: 'c' }, waitpid, bash, notes };
}
