// Secrets never reach an artifact: the values of environment variables that look secret (or that
// the user names with `--redact NAME`) are replaced by `[REDACTED:NAME]` in every file the harness
// writes (events.jsonl through the history writer, results.json, junit.xml, index.html through
// the atomic writers), in the forms a target or a report prints them: raw, URL-encoded, base64
// (also inside a longer base64 text such as a Basic auth header), each also as escaped in JSON,
// in JSON inside a <script>, and in HTML/XML.

// Names whose values are treated as secrets (when at least MIN_SECRET_LENGTH characters long).
export const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE|CREDENTIAL|AUTH)/i;
// Shorter values of secret-looking names are left alone (flags like `AUTH=on` are not secrets).
export const MIN_SECRET_LENGTH = 6;
// A value named with --redact must be at least this long: a shorter one would also match
// ordinary text (numbers, words) and mangle the reports.
export const MIN_LISTED_LENGTH = 4;
// What --redact accepts: an environment variable name.
export const REDACT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface Secret {
  name: string;
  value: string;
}

export type EnvMap = Record<string, string | undefined>;

// Finds the secrets in `envs` (the harness's environment, the scenarios' target and service env):
// every secret-looking name with a value of at least 6 characters, and every name in `listed`
// with a value of at least 4. `warnings` names each listed variable that has nothing to redact.
export function findSecrets(envs: readonly EnvMap[], listed: readonly string[] = []): { secrets: Secret[]; warnings: string[] } {
  const secrets: Secret[] = [];
  const seen = new Set<string>();
  const add = (name: string, value: string): void => {
    const key = `${name}\0${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    secrets.push({ name, value });
  };
  const wanted = new Set(listed);
  const found = new Set<string>();
  const kept = new Set<string>();
  const short = new Set<string>();
  for (const env of envs) {
    for (const [name, value] of Object.entries(env)) {
      if (typeof value !== 'string' || value.length === 0) continue;
      if (wanted.has(name)) {
        found.add(name);
        if (value.length >= MIN_LISTED_LENGTH) {
          add(name, value);
          kept.add(name);
        } else short.add(name);
        continue;
      }
      if (SECRET_NAME.test(name) && value.length >= MIN_SECRET_LENGTH) add(name, value);
    }
  }
  const warnings: string[] = [];
  for (const name of wanted) {
    if (!found.has(name)) warnings.push(`--redact ${name}: no such variable in the environment or in a scenario's env; nothing to redact for it`);
    else if (short.has(name) && !kept.has(name)) warnings.push(`--redact ${name}: its value is shorter than ${MIN_LISTED_LENGTH} characters and is not redacted (it would match ordinary text)`);
  }
  return { secrets, warnings };
}

const jsonInner = (s: string): string => JSON.stringify(s).slice(1, -1);
const scriptJson = (s: string): string => s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const htmlNumeric = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const htmlNamed = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const xmlApos = (s: string): string => htmlNamed(s).replace(/&#39;/g, '&apos;');
const xmlText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// Every form of `value` that an artifact may hold, longest first.
export function secretForms(value: string): string[] {
  const base = new Set<string>([value]);
  try {
    const uri = encodeURIComponent(value);
    base.add(uri);
    base.add(uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
    base.add(uri.replace(/%20/g, '+'));
    base.add(new URLSearchParams({ v: value }).toString().slice(2));
  } catch {
    // a lone surrogate: no URL form
  }
  const bytes = Buffer.from(value, 'utf8');
  const b64 = bytes.toString('base64');
  base.add(b64);
  base.add(b64.replace(/=+$/, ''));
  base.add(bytes.toString('base64url'));
  // Inside a longer base64 text the encoding depends on the value's offset modulo 3: keep, for each
  // offset, the characters that depend on the value's bytes alone (whole groups only).
  for (const shift of [0, 1, 2] as const) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const core = padded.toString('base64').slice([0, 2, 3][shift], Math.floor(padded.length / 3) * 4);
    if (core.length >= 6) {
      base.add(core);
      base.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  // Escaped once or twice for JSON (a target printing JSON, recorded in JSON), then as it appears
  // in a <script> block, in HTML and in XML.
  const escaped = new Set<string>();
  for (const f of base) {
    escaped.add(f);
    escaped.add(jsonInner(f));
    escaped.add(jsonInner(jsonInner(f)));
  }
  const out = new Set<string>();
  for (const f of escaped) for (const g of [f, scriptJson(f), htmlNumeric(f), htmlNamed(f), xmlApos(f), xmlText(f)]) if (g) out.add(g);
  return [...out].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// A function that replaces every form of every secret with `[REDACTED:NAME]` (the longest match
// wins; a form that starts or ends with a digit is not matched inside a longer number).
export function createRedactor(secrets: readonly Secret[]): (text: string) => string {
  const label = new Map<string, string>();
  // Longer values first, so that a secret containing another is labelled by its own name.
  for (const s of [...secrets].sort((a, b) => b.value.length - a.value.length)) {
    for (const form of secretForms(s.value)) if (!label.has(form)) label.set(form, `[REDACTED:${s.name}]`);
  }
  if (label.size === 0) return (text) => text;
  const forms = [...label.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(forms.map((f) => `${/^\d/.test(f) ? '(?<!\\d)' : ''}${escapeRegExp(f)}${/\d$/.test(f) ? '(?!\\d)' : ''}`).join('|'), 'g');
  return (text) => text.replace(pattern, (m) => label.get(m) ?? m);
}

let active: ((text: string) => string) | undefined;
let activeSecrets: Secret[] = [];

// Sets the process-wide redaction (used by every artifact writer) from environments and listed
// names; returns what it found. Until it is called, redact() uses the secrets of process.env.
export function configureRedaction(options: { envs?: readonly EnvMap[]; names?: readonly string[] } = {}): { secrets: Secret[]; warnings: string[] } {
  const found = findSecrets(options.envs ?? [process.env], options.names ?? []);
  activeSecrets = found.secrets;
  active = createRedactor(found.secrets);
  return found;
}

// The names of the secrets currently redacted (never their values).
export function redactedNames(): string[] {
  if (!active) configureRedaction();
  return [...new Set(activeSecrets.map((s) => s.name))];
}

// `text` with every configured secret replaced by `[REDACTED:NAME]`.
export function redact(text: string): string {
  if (!active) configureRedaction();
  return active!(text);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

// File data with secrets redacted: text (and bytes that are valid UTF-8) is redacted; other
// binary data is returned unchanged.
export function redactData(data: string | Uint8Array): string | Uint8Array {
  if (typeof data === 'string') return redact(data);
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return data;
  }
  const out = redact(text);
  return out === text ? data : out;
}

// Redacts everything later written to `stream` as text (the console: CI logs are artifacts too).
export function redactWrites(stream: NodeJS.WritableStream): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => write(typeof chunk === 'string' ? redact(chunk) : chunk, ...rest)) as typeof stream.write;
}
