import fs from 'node:fs';
import path from 'node:path';
import { dockerStopFromDockerfile } from '../target/dockerfile.js';

// How the user's app starts, as init found it in the project.
export interface DetectedApp {
  // Where it came from, as said to the user: `Dockerfile`, `Procfile web:`, `package.json start`.
  source: string;
  command: CommandLine;
  // Stopped as `docker stop` stops a container (a Dockerfile): the `docker-stop` platform preset,
  // PID 1 of a PID namespace, the STOPSIGNAL, SIGKILL after 10 s.
  dockerStop: boolean;
  stopSignal?: string;
  port?: number;
  warnings: string[];
}

// A command as the scenario runs it: an argv, or a shell line (`shell: true`).
export type CommandLine = { argv: string[] } | { shell: string };

// What starts the app, from the first of Dockerfile, Procfile `web:`, package.json `start` found
// in `cwd`; undefined when none says. Never throws (an unreadable file is skipped).
export function detectApp(cwd: string): DetectedApp | undefined {
  const read = (name: string): string | undefined => {
    try {
      return fs.readFileSync(path.join(cwd, name), 'utf8');
    } catch {
      return undefined;
    }
  };
  const dockerfile = read('Dockerfile');
  const docker = dockerfile === undefined ? undefined : dockerStopFromDockerfile(dockerfile);
  // A Dockerfile whose final stage sets no CMD/ENTRYPOINT says nothing here: the next source speaks.
  if (docker && docker.argv.length) return { source: 'Dockerfile', command: { argv: docker.argv }, dockerStop: true, stopSignal: docker.stopSignal, ...(docker.exposedPort !== undefined ? { port: docker.exposedPort } : {}), warnings: docker.warnings };
  const web = read('Procfile')?.split(/\r?\n/).map((l) => /^web:\s*(.+)$/.exec(l.trim())?.[1]).find(Boolean);
  if (web) return { source: 'Procfile web:', command: splitCommand(web), dockerStop: false, warnings: [] };
  let start: unknown;
  try {
    start = (JSON.parse(read('package.json') ?? '{}') as { scripts?: { start?: unknown } }).scripts?.start;
  } catch {
    start = undefined;
  }
  if (typeof start === 'string' && start.trim()) return { source: 'package.json start', command: splitCommand(start.trim()), dockerStop: false, warnings: [] };
  return undefined;
}

// Splits a command line into an argv (quotes and backslashes as sh reads them), or keeps it as
// a shell line when it uses what only a shell does (pipes, `&&`, `$VAR`, globs, `VAR=x cmd`).
export function splitCommand(text: string): CommandLine {
  const argv: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word = (word ?? '') + text[++i];
      else if (c === '$' && quote === '"') return { shell: text };
      else word = (word ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) argv.push(word);
      word = undefined;
    } else if (/[|&;<>()$`*?~#]/.test(c)) {
      return { shell: text };
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) return { shell: text };
  if (word !== undefined) argv.push(word);
  if (argv.length === 0 || /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[0]!)) return { shell: text };
  return { argv };
}
