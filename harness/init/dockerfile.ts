import os from 'node:os';
import { SIGNAL_NAMES as signalNames } from '../history/events.js';

// What `docker run` starts from a Dockerfile, and how `docker stop` ends it. (A small reader for
// `init`; the `platform: { 'docker-stop' }` preset's dockerStopFromDockerfile in
// harness/target/dockerfile.ts is meant to replace it.)
export interface DockerfileRun {
  // The exact argv PID 1 runs (ENTRYPOINT + CMD; a shell form becomes `/bin/sh -c <text>`).
  argv: string[];
  // STOPSIGNAL (default SIGTERM), the signal `docker stop` sends before SIGKILL after 10 s.
  stopSignal: (typeof signalNames)[number];
  // The first EXPOSEd TCP port of the last stage, when there is one.
  port?: number;
  // Said to the user: a shell form (sh at PID 1 does not pass SIGTERM on), an unknown signal.
  warnings: string[];
}

type Form = { exec: string[] } | { shell: string };

// Reads the last stage's ENTRYPOINT, CMD, STOPSIGNAL and EXPOSE (line continuations and comments
// handled). Undefined when the Dockerfile starts nothing (no ENTRYPOINT or CMD). Never throws.
export function readDockerfile(text: string): DockerfileRun | undefined {
  let entrypoint: Form | undefined;
  let cmd: Form | undefined;
  let stop: string | undefined;
  let port: number | undefined;
  const warnings: string[] = [];
  for (const line of instructions(text)) {
    const m = /^(\w+)\s*(.*)$/s.exec(line);
    if (!m) continue;
    const [, word, rest] = [m[0], m[1]!.toUpperCase(), m[2]!.trim()];
    if (word === 'FROM') {
      entrypoint = cmd = stop = port = undefined;
    } else if (word === 'ENTRYPOINT') {
      entrypoint = form(rest);
      // Docker: setting ENTRYPOINT resets a CMD inherited from before it.
      cmd = undefined;
    } else if (word === 'CMD') {
      cmd = form(rest);
    } else if (word === 'STOPSIGNAL') {
      stop = rest;
    } else if (word === 'EXPOSE' && port === undefined) {
      const p = /^(\d+)(?:\/tcp)?(?:\s|$)/i.exec(rest);
      if (p) port = Number(p[1]);
    }
  }
  if (!entrypoint && !cmd) return undefined;
  const argvOf = (f: Form): string[] => ('exec' in f ? f.exec : ['/bin/sh', '-c', f.shell]);
  let argv: string[];
  if (entrypoint) {
    argv = argvOf(entrypoint);
    // A shell-form ENTRYPOINT ignores CMD.
    if ('exec' in entrypoint && cmd) argv = [...argv, ...argvOf(cmd)];
  } else {
    argv = argvOf(cmd!);
  }
  // What runs as PID 1: the ENTRYPOINT when there is one, else the CMD.
  const [what, first] = entrypoint ? ['ENTRYPOINT', entrypoint] as const : ['CMD', cmd!] as const;
  if ('shell' in first) {
    warnings.push(`the Dockerfile's ${what} is in shell form (\`${what} ${first.shell}\`): /bin/sh runs as PID 1 and does not pass SIGTERM on to your app, so \`docker stop\` waits 10 s and kills it; use the exec form: ${what} ${JSON.stringify(first.shell.split(/\s+/))}`);
  }
  return { argv, stopSignal: stopSignalName(stop, warnings), ...(port !== undefined ? { port } : {}), warnings };
}

// Logical lines: comments dropped, `\` continuations joined.
function instructions(text: string): string[] {
  const out: string[] = [];
  let acc = '';
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*#/.test(raw)) continue;
    const cont = /\\\s*$/.test(raw);
    acc += `${cont ? raw.replace(/\\\s*$/, '') : raw} `;
    if (cont) continue;
    if (acc.trim()) out.push(acc.trim());
    acc = '';
  }
  if (acc.trim()) out.push(acc.trim());
  return out;
}

// `["a", "b"]` is the exec form (when it is a JSON array of strings), anything else the shell form.
function form(rest: string): Form {
  if (rest.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(rest);
      if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return { exec: v };
    } catch {
      // not JSON: Docker runs it with the shell
    }
  }
  return { shell: rest };
}

function stopSignalName(stop: string | undefined, warnings: string[]): DockerfileRun['stopSignal'] {
  if (stop === undefined) return 'SIGTERM';
  const upper = stop.toUpperCase();
  const byNumber = /^\d+$/.test(stop) ? Object.entries(os.constants.signals).find(([, n]) => n === Number(stop))?.[0] : undefined;
  const name = byNumber ?? (upper.startsWith('SIG') ? upper : `SIG${upper}`);
  const known = signalNames.find((s) => s === name);
  if (known) return known;
  warnings.push(`STOPSIGNAL ${stop} is not one the harness sends (${signalNames.join(', ')}); the scenario strikes with SIGTERM: edit strike.signal`);
  return 'SIGTERM';
}
