import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { HarnessError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { scenarioJsonSchema } from '../scenario/json-schema.js';
import { compileUserRegex } from '../scenario/regex.js';
import { detectApp, splitCommand, type CommandLine } from './detect.js';
import { scaffoldScenario, type ScaffoldInput } from './scaffold.js';

const HOW = 'shutdown-drill init [--command CMD] [--port N | --http PATH | --log RE] [--yaml | --ts] [--name NAME] [--force]';

// What init works with: by default the cwd, the terminal (when stdin and stdout are one) and stdout/stderr.
export interface InitIo {
  cwd: string;
  // Asks one question on the terminal; undefined when there is no terminal.
  prompt: ((question: string) => Promise<string>) | undefined;
  out: (text: string) => void;
  err: (text: string) => void;
}

// `shutdown-drill init`: writes scenarios/<name>.scenario.<yaml|ts> for the app in the cwd (and
// scenarios/scenario.schema.json beside a YAML one), from flags, what the project says (Dockerfile,
// Procfile, package.json) and, on a TTY, answers. Without a TTY a missing answer is exit 2 naming
// its flag. Never overwrites a file without --force.
export async function init(args: string[], io: Partial<InitIo> = {}): Promise<number> {
  const { values } = parseArgs({
    args, allowPositionals: false, strict: true,
    options: {
      command: { type: 'string' }, port: { type: 'string' }, http: { type: 'string' }, log: { type: 'string' },
      yaml: { type: 'boolean' }, ts: { type: 'boolean' }, name: { type: 'string' }, force: { type: 'boolean' },
    },
  });
  const cwd = io.cwd ?? process.cwd();
  const out = io.out ?? ((text: string) => void process.stdout.write(text));
  const err = io.err ?? ((text: string) => void process.stderr.write(text));
  const readies = (['port', 'http', 'log'] as const).filter((k) => values[k] !== undefined);
  if (readies.length > 1) throw new HarnessError('USAGE', `init: give one of --port, --http, --log (how to tell the app is ready), got ${readies.map((k) => `--${k}`).join(' and ')}`);
  if (values.yaml && values.ts) throw new HarnessError('USAGE', 'init: give --yaml or --ts, not both');
  const rl = !('prompt' in io) && process.stdin.isTTY && process.stdout.isTTY ? createInterface({ input: process.stdin, output: process.stdout }) : undefined;
  const ask = 'prompt' in io ? io.prompt : rl ? (q: string) => rl.question(q) : undefined;
  try {
    const question = async (text: string, fallback: string | undefined, flag: string): Promise<string> => {
      if (!ask) {
        if (fallback !== undefined) return fallback;
        throw new HarnessError('USAGE', `init: no terminal to ask "${text}": pass ${flag}\n  ${HOW}`);
      }
      for (;;) {
        const answer = (await ask(`${text}${fallback !== undefined ? ` [${fallback}]` : ''}: `)).trim();
        if (answer || fallback !== undefined) return answer || fallback!;
      }
    };

    const detected = values.command === undefined ? detectApp(cwd) : undefined;
    if (detected) err(`init: found how your app starts in ${detected.source}\n`);
    for (const w of detected?.warnings ?? []) err(`warning: ${w}\n`);
    const commandText = values.command ?? (ask ? await question('Command that starts your app', detected ? shown(detected.command) : undefined, '--command') : undefined);
    if (commandText === undefined && !detected) throw new HarnessError('USAGE', `init: no command that starts your app (no Dockerfile CMD, Procfile web: or package.json start found): pass --command CMD, e.g. --command "node server.js"\n  ${HOW}`);
    const fromDetected = detected && (commandText === undefined || commandText === shown(detected.command));
    const command: CommandLine = fromDetected ? detected.command : splitCommand(commandText!);
    if ('argv' in command && command.argv.length === 0) throw new HarnessError('USAGE', '--command must not be empty');

    let port: number | undefined = values.port === undefined ? (fromDetected ? detected.port : undefined) : portOf(values.port);
    let ready: ScaffoldInput['ready'];
    if (values.http !== undefined) ready = { http: httpPath(values.http) };
    else if (values.log !== undefined) ready = { log: logPattern(values.log) };
    else if (values.port !== undefined) ready = { port: true };
    else {
      const answer = await question('How to tell it is ready: an HTTP path (/healthz), "port" (it accepts connections), or log:REGEX', port !== undefined ? 'port' : undefined, '--http PATH, --port N or --log RE');
      if (answer === 'port') ready = { port: true };
      else if (answer.startsWith('log:')) ready = { log: logPattern(answer.slice(4)) };
      else ready = { http: httpPath(answer) };
      if (!('log' in ready) && port === undefined && ask) {
        const p = await question('The port your app listens on by default (blank: it reads $PORT)', '', '--port N');
        if (p) port = portOf(p);
      }
    }
    const format = values.ts ? 'ts' : values.yaml ? 'yaml' : (await question('Scenario file format: yaml or ts', 'yaml', '--yaml or --ts')) === 'ts' ? 'ts' : 'yaml';
    const name = slug(values.name ?? (await question('Scenario name', defaultName(cwd), '--name NAME')));
    if (!name) throw new HarnessError('USAGE', `--name must hold a letter or a digit, got "${values.name}"`);

    const text = scaffoldScenario({ name, source: fromDetected ? detected.source : '--command', command, dockerStop: Boolean(fromDetected && detected.dockerStop), ready, ...(port !== undefined ? { port } : {}), signal: (fromDetected && detected.stopSignal) || 'SIGTERM', format });
    const dir = path.join(cwd, 'scenarios');
    // A .ts file of a package without "type": "module" is loaded as CommonJS, where the ESM-only
    // `shutdown-drill` cannot be imported: the file is then .mts.
    const ext = format === 'ts' && !isEsmPackage(cwd) ? 'mts' : format;
    const file = path.join(dir, `${name}.scenario.${ext}`);
    if (fs.existsSync(file) && !values.force) throw new HarnessError('USAGE', `init: ${path.relative(cwd, file)} exists: pass --force to overwrite it, or --name NAME for another file`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, text);
    const written = [file];
    if (format === 'yaml') {
      const schema = path.join(dir, 'scenario.schema.json');
      if (!fs.existsSync(schema) || values.force) {
        fs.writeFileSync(schema, `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
        written.push(schema);
      }
    }
    out(`wrote ${written.map((f) => path.relative(cwd, f)).join(', ')}\nnext: tune the lines marked TUNE, then run: npx shutdown-drill run\n`);
    return ExitCode.passed;
  } finally {
    rl?.close();
  }
}

function shown(command: CommandLine): string {
  return 'shell' in command ? command.shell : command.argv.map((a) => (/^[\w@%+=:,./{}-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function portOf(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new HarnessError('USAGE', `--port must be a TCP port (1-65535), got "${text}"`);
  return n;
}

function httpPath(text: string): string {
  if (!text.startsWith('/')) throw new HarnessError('USAGE', `--http must be a path starting with /, e.g. /healthz, got "${text}"`);
  return text;
}

function logPattern(text: string): string {
  compileUserRegex(text, '--log', 'USAGE');
  return text;
}

function isEsmPackage(cwd: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { type?: unknown }).type === 'module';
  } catch {
    return false;
  }
}

// The package's name, else the folder's.
function defaultName(cwd: string): string {
  try {
    const name = (JSON.parse(fs.readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { name?: unknown }).name;
    if (typeof name === 'string' && slug(name)) return slug(name);
  } catch {
    // no package.json
  }
  return slug(path.basename(cwd)) || 'app';
}

function slug(text: string): string {
  return text.toLowerCase().replace(/^@[^/]*\//, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
}
