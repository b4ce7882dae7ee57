import os from 'node:os';
import type { CommandLine } from './detect.js';

// What init writes a scenario from.
export interface ScaffoldInput {
  name: string;
  // Where the command came from (`--command`, `Dockerfile`, ...), said in the file's header.
  source: string;
  command: CommandLine;
  // Stopped as `docker stop` does (from a Dockerfile): the `docker-stop` platform preset.
  dockerStop: boolean;
  ready: { http: string } | { port: true } | { log: string };
  // The app's own port (--port N, a Dockerfile's EXPOSE): that number in the command becomes {port}.
  port?: number;
  signal: string;
  format: 'yaml' | 'ts';
}

const q = (s: string): string => JSON.stringify(s);

// The command with the app's own port number replaced by `{port}` (`--port 3000`, `-b :3000`,
// `--port=3000`), so that each run gets a free port.
function withPortPlaceholder(command: CommandLine, port: number | undefined): CommandLine {
  if (port === undefined) return command;
  const re = new RegExp(`(^|[=:])${port}$`);
  return 'argv' in command ? { argv: command.argv.map((a) => a.replace(re, '$1{port}')) } : command;
}

// A scenario file (YAML or TS) for the app: readiness, a bounded keep-alive HTTP load when the app
// has a port, a strike, budgets, and a comment on each thing to tune. What it checks is what a
// graceful shutdown must do, so `run` passes or fails on the app, never on the file.
export function scaffoldScenario(input: ScaffoldInput): string {
  const command = withPortPlaceholder(input.command, input.port);
  const hasPort = !('log' in input.ready);
  const signalNumber = os.constants.signals[input.signal as NodeJS.Signals] ?? 15;
  const L: string[] = [];
  const ts = input.format === 'ts';
  // One "key: value" line at `depth`, rendered for YAML or as a TS object member.
  const line = (depth: number, text: string): void => {
    L.push(`${'  '.repeat(depth + (ts ? 1 : 0))}${text}${ts && !/[{[]$/.test(text) && !text.startsWith('//') ? ',' : ''}`);
  };
  const c = (depth: number, text: string): void => line(depth, `${ts ? '//' : '#'} ${text}`);
  const obj = (fields: Array<[string, string]>): string => `{ ${fields.map(([k, v]) => `${k}: ${v}`).join(', ')} }`;
  const list = (items: string[]): string => `[${items.join(', ')}]`;
  const close = (depth: number, bracket: string): void => {
    if (ts) L.push(`${'  '.repeat(depth + 1)}${bracket},`);
  };

  if (ts) {
    L.push(`import { defineScenario } from 'shutdown-drill';`, '');
    L.push(`// Written by \`shutdown-drill init\` from ${input.source}. Tune the lines marked TUNE, then run:`);
    L.push('//   npx shutdown-drill run');
    L.push('// Every field is described in your editor (hover) and in the README of shutdown-drill.');
    L.push('export default defineScenario({');
  } else {
    L.push('# yaml-language-server: $schema=./scenario.schema.json');
    L.push(`# Written by \`shutdown-drill init\` from ${input.source}. Tune the lines marked TUNE, then run:`);
    L.push('#   npx shutdown-drill run');
    L.push('# Every field: scenario.schema.json (editor hover; remake it with `npx shutdown-drill schema > scenarios/scenario.schema.json`).');
  }
  line(0, `name: ${q(`${input.name} shuts down gracefully on ${input.signal}`)}`);
  line(0, ts ? 'target: {' : 'target:');
  if ('argv' in command) {
    line(1, `command: ${q(command.argv[0]!)}`);
    line(1, `args: ${list(command.argv.slice(1).map(q))}`);
  } else {
    c(1, 'A shell line: /bin/sh starts the app (prefer an argv: a shell in front may not pass signals on).');
    line(1, `command: ${q(command.shell)}`);
    line(1, 'shell: true');
  }
  if (hasPort) {
    c(1, '{port} is a free port the harness picks for each run: your app must listen on it ($PORT).');
    line(1, `env: ${obj([['PORT', q('{port}')]])}`);
  }
  const readyText = 'http' in input.ready ? obj([['http', q(input.ready.http)], ['timeoutMs', '10000']])
    : 'port' in input.ready ? obj([['port', 'true'], ['timeoutMs', '10000']]) : obj([['log', q(input.ready.log)], ['timeoutMs', '10000']]);
  c(1, `Ready when ${'http' in input.ready ? `GET ${input.ready.http} answers 2xx` : 'port' in input.ready ? 'the port accepts connections' : 'a line of its output matches'}. TUNE: timeoutMs if your app starts slowly.`);
  line(1, `ready: ${readyText}`);
  close(0, '}');
  const s = (v: string): string => (ts ? `'${v}'` : v);
  if (input.dockerStop) {
    c(0, 'As `docker stop` stops the container: the app is PID 1 of its own PID namespace (as without `docker run --init`:');
    c(0, 'signals without a handler are ignored there), gets the Dockerfile\'s STOPSIGNAL, and SIGKILL after timeoutS.');
    c(0, 'TUNE: timeoutS to your `docker stop -t` / stop_grace_period.');
    line(0, `platform: { ${ts ? "'docker-stop'" : 'docker-stop'}: ${obj([['stopSignal', s(input.signal)], ['timeoutS', '10']])} }`);
  }
  if (hasPort) {
    line(0, ts ? 'load: [' : 'load:');
    c(1, 'Keep-alive HTTP clients, bounded: 4 connections, 40 requests/s, for 10 s at most.');
    c(1, 'TUNE: `path` to an endpoint of your app; a slow one (and strike at { inFlightAtLeast: 4 }) to test draining.');
    const http = obj([['name', ts ? "'app'" : 'app'], ['engine', ts ? "'tracked'" : 'tracked'], ['keepAlive', 'true'], ['connections', '4'], ['rate', '40'], ['path', q('http' in input.ready ? input.ready.http : '/')], ['durationMs', '10000'], ['timeoutMs', '10000']]);
    line(1, ts ? `{ http: ${http} }` : `- http: ${http}`);
    close(0, ']');
  }
  line(0, ts ? 'strike: {' : 'strike:');
  if (hasPort) {
    c(1, 'Strike once the app has served 20 responses of that load.');
    line(1, `at: ${obj([['afterResponses', '20'], ['driver', s('app')]])}`);
  } else {
    c(1, 'Strike 500 ms after the app is ready. TUNE: strike while it works, e.g. { onLog: "processing" }.');
    line(1, `at: ${obj([['afterReadyMs', '500']])}`);
  }
  if (!input.dockerStop) {
    c(1, 'The signal your platform stops the app with.');
    line(1, `signal: ${s(input.signal)}`);
    c(1, 'Then SIGKILL after 10 s: docker stop\'s default. TUNE: Kubernetes terminationGracePeriodSeconds is 30 s.');
    line(1, `escalate: ${obj([['afterMs', '10000'], ['signal', s('SIGKILL')]])}`);
  }
  close(0, '}');
  line(0, ts ? 'expect: {' : 'expect:');
  c(1, `A graceful exit: code 0. Killed by ${input.signal} itself (no handler; status ${128 + signalNumber}) fails. TUNE: add ${128 + signalNumber} if your app exits with it on purpose.`);
  line(1, `exit: ${obj([['codes', list(['0'])]])}`);
  c(1, 'TUNE: your shutdown budget, from the first signal to the exit.');
  line(1, `timeToExitMs: ${obj([['max', '5000']])}`);
  c(1, 'The app exits by itself, before the escalation. (noOrphans, on by default: no process of the app outlives it.)');
  line(1, 'noEscalation: true');
  if (hasPort) {
    c(1, 'Keep-alive clients never see a connection reset.');
    line(1, `noReset: ${obj([['driver', s('app')]])}`);
    c(1, 'With a request in flight at the signal (see `load`), also check that it completes and that new work is turned away:');
    c(1, `drain: ${obj([['driver', s('app')]])}`);
    c(1, `newWorkRejected: ${obj([['driver', s('app')]])}`);
  }
  close(0, '}');
  if (ts) L.push('});');
  return `${L.join('\n')}\n`;
}
