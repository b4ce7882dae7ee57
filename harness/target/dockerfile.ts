import os from 'node:os';
import { signalNames } from '../scenario/schema.js';

// What `docker run` would start from a Dockerfile, and how `docker stop` would stop it, read from
// the final stage's CMD / ENTRYPOINT / SHELL / STOPSIGNAL. From the Dockerfile reference
// (https://docs.docker.com/reference/dockerfile/):
// - CMD / ENTRYPOINT have an exec form (a JSON array, run as is: that program is PID 1) and a shell
//   form (run as `/bin/sh -c "<text>"`, or the SHELL instruction's argv: the shell is PID 1). An
//   array that is not valid JSON is taken as the shell form.
// - The argv is ENTRYPOINT followed by CMD; a shell-form ENTRYPOINT ignores CMD; setting
//   ENTRYPOINT resets a CMD inherited from the base image.
// - Only the last instruction of each kind counts; a stage starts at FROM.
// - STOPSIGNAL sets the signal `docker stop` sends to PID 1 (a name, with or without SIG, or a
//   number); the default is SIGTERM, followed by SIGKILL after the stop timeout.
export interface DockerStopPlan {
  // The argv the container's PID 1 runs (empty when the stage sets neither CMD nor ENTRYPOINT).
  argv: string[];
  // True when PID 1 is the shell of a shell-form CMD or ENTRYPOINT.
  shellForm: boolean;
  // The stop signal's name (`SIGTERM` unless STOPSIGNAL says otherwise).
  stopSignal: string;
  // What a person should know: the shell form, an inherited CMD, an unsupported signal, ...
  warnings: string[];
  // The final stage's first EXPOSEd TCP port, when it has one (the port the app listens on).
  exposedPort?: number;
}

interface Instruction { keyword: string; text: string; line: number }

// Reads a Dockerfile's text; pure (no file, no engine), never throws.
export function dockerStopFromDockerfile(text: string): DockerStopPlan {
  const warnings: string[] = [];
  const all = instructions(text);
  const lastFrom = all.map((i) => i.keyword).lastIndexOf('FROM');
  const stage = all.slice(lastFrom + 1);
  let shell = ['/bin/sh', '-c'];
  let cmd: { argv: string[]; shell: boolean; line: number } | undefined;
  let entrypoint: { argv: string[]; shell: boolean; line: number } | undefined;
  let stopSignal = 'SIGTERM';
  let exposedPort: number | undefined;
  for (const ins of stage) {
    if (ins.keyword === 'SHELL') {
      const argv = jsonArgv(ins.text);
      if (argv && argv.length) shell = argv;
      else warnings.push(`line ${ins.line}: SHELL must be a JSON array of strings, got ${ins.text}; kept ${JSON.stringify(shell)}`);
    } else if (ins.keyword === 'CMD' || ins.keyword === 'ENTRYPOINT') {
      const argv = jsonArgv(ins.text);
      if (argv === undefined && ins.text.startsWith('[')) warnings.push(`line ${ins.line}: ${ins.keyword} ${ins.text} is not a valid JSON array, so Docker runs it in the shell form`);
      const form = argv ? { argv, shell: false, line: ins.line } : { argv: [...shell, ins.text], shell: true, line: ins.line };
      if (ins.keyword === 'CMD') cmd = form;
      else entrypoint = form;
    } else if (ins.keyword === 'STOPSIGNAL') {
      stopSignal = signalName(ins.text, ins.line, warnings);
    } else if (ins.keyword === 'EXPOSE' && exposedPort === undefined) {
      const port = /^(\d+)(?:\/tcp)?(?:\s|$)/i.exec(ins.text);
      if (port) exposedPort = Number(port[1]);
    }
  }
  if (lastFrom < 0) warnings.push('no FROM instruction: is this a Dockerfile?');
  let argv: string[] = [];
  let shellForm = false;
  if (entrypoint) {
    shellForm = entrypoint.shell;
    argv = entrypoint.argv;
    if (entrypoint.shell && cmd) warnings.push(`line ${cmd.line}: CMD is ignored: a shell-form ENTRYPOINT (line ${entrypoint.line}) takes no arguments from CMD`);
    else if (cmd) {
      argv = [...entrypoint.argv, ...cmd.argv];
      if (cmd.shell) warnings.push(`line ${cmd.line}: a shell-form CMD after an exec-form ENTRYPOINT is passed as the arguments ${JSON.stringify(cmd.argv)}: write CMD as a JSON array`);
    }
  } else if (cmd) {
    shellForm = cmd.shell;
    argv = cmd.argv;
  } else {
    warnings.push('the final stage sets neither CMD nor ENTRYPOINT: the command comes from the base image, which cannot be read here; give target.command yourself');
  }
  if (shellForm) {
    warnings.push(`shell form: ${argv[0]} is PID 1 and runs the app as its child; a shell neither handles nor forwards SIGTERM, so \`docker stop\` waits out its timeout and SIGKILLs it. Use the exec form (${entrypoint?.shell ? 'ENTRYPOINT' : 'CMD'} ["prog", "arg"]), \`exec\` in the shell text, or an init (docker run --init)`);
  }
  const execForm = !shellForm && argv.length > 0;
  if (execForm && argv.some((a) => /\$\{?[A-Za-z_]/.test(a))) warnings.push('the exec form does not expand environment variables ($VAR stays as written); use the shell form with `exec`, or write the value');
  return { argv, shellForm, stopSignal, warnings, ...(exposedPort !== undefined ? { exposedPort } : {}) };
}

// Instructions with their continuation lines joined; comments and parser directives dropped.
function instructions(text: string): Instruction[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  // Parser directives (`# escape=\``) are the comment lines of the form `# key=value` at the very top.
  let escape = '\\';
  for (const l of lines) {
    const d = /^#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(l.trim());
    if (!d) break;
    if (d[1]!.toLowerCase() === 'escape' && (d[2] === '`' || d[2] === '\\')) escape = d[2];
  }
  const out: Instruction[] = [];
  let current: { text: string; line: number } | undefined;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!current && (line === '' || line.startsWith('#'))) return;
    if (current && line.startsWith('#')) return;
    const continued = line.endsWith(escape);
    const body = continued ? line.slice(0, -1) : line;
    current = current ? { text: `${current.text} ${body.trim()}`.trim(), line: current.line } : { text: body, line: i + 1 };
    if (!continued) {
      const m = /^(\S+)\s*([\s\S]*)$/.exec(current.text);
      if (m) out.push({ keyword: m[1]!.toUpperCase(), text: m[2]!.trim(), line: current.line });
      current = undefined;
    }
  });
  if (current) {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(current.text);
    if (m) out.push({ keyword: m[1]!.toUpperCase(), text: m[2]!.trim(), line: current.line });
  }
  return out;
}

function jsonArgv(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

// `TERM`, `SIGTERM`, `15` -> `SIGTERM`; a signal the harness cannot send is kept as written, with a warning.
function signalName(text: string, line: number, warnings: string[]): string {
  const t = text.trim().toUpperCase();
  const name = /^\d+$/.test(t) ? Object.entries(os.constants.signals).find(([, n]) => n === Number(t))?.[0] : t.startsWith('SIG') ? t : `SIG${t}`;
  if (!name) {
    warnings.push(`line ${line}: STOPSIGNAL ${text}: no such signal number; kept SIGTERM`);
    return 'SIGTERM';
  }
  if (!(signalNames as readonly string[]).includes(name)) warnings.push(`line ${line}: STOPSIGNAL ${text} (${name}) is not one the harness sends (${signalNames.join(', ')})`);
  return name;
}
