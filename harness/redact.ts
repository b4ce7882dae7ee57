// Secrets never reach an artifact, and redaction never touches an artifact's structure: the
// harness redacts the *data* (each string value of an event, a results file, a spec) before it is
// serialized, never the serialized text. So a secret equal to `strict`, `testcase` or `verdict`
// cannot break a page script, an XML element or a JSON key: only string values are rewritten,
// each occurrence replaced by `[REDACTED:NAME]`. The console (free text, no structure) is redacted
// as text.
//
// What is a secret: the values of environment variables that look secret (SECRET_NAME, or named
// with `--redact NAME`), the password of any `scheme://user:pass@host` URL and any `password=…`
// pair found in an environment value or a command line, and the value of a command-line option
// that looks secret (`--password X`, `--token=X`). Values shorter than MIN_SECRET_LENGTH (6) are
// left alone: they would match ordinary text (flags like `AUTH=on`).
//
// The forms found and redacted: raw; URL-encoded (any mix of %XX, either hex case, and `+` for a
// space, as encodeURIComponent and Python's quote_plus write it); JSON-escaped (`\"`, `\\`, `\n`,
// and `\uXXXX` for any character, as Python's json.dumps writes non-ASCII text); base64 (padded or
// not, url-safe, and inside a longer base64 text at each byte offset); hex (either case); each
// of these split over two lines (a secret printed across two log lines, base64 wrapped at 76
// columns); the raw value escaped twice for JSON and as HTML/XML entities.

// Names whose values are treated as secrets (when at least MIN_SECRET_LENGTH characters long).
export const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|_PWD$|API_?KEY|PRIVATE|CREDENTIAL|AUTH|_DSN$|^DSN$|DATABASE_URL|CONNECTION_STRING|COOKIE)/i;
// Shorter values are left alone (flags like `AUTH=on` are not secrets).
export const MIN_SECRET_LENGTH = 6;
// A value named with --redact must be at least this long: a shorter one would also match
// ordinary text (numbers, words) and mangle the reports.
export const MIN_LISTED_LENGTH = 4;
// What --redact accepts: an environment variable name.
export const REDACT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Keys whose string values are a fixed vocabulary (never target data): not redacted, so a secret
// equal to `passed` or `SIGTERM` cannot corrupt a verdict, a status or an event type.
export const VOCABULARY_KEYS: ReadonlySet<string> = new Set(['type', 'verdict', 'status', 'outcome', 'stream', 'signal', 'errorCode', 'schemaVersion', 'purpose']);

export interface Secret {
  name: string;
  value: string;
}

export type EnvMap = Record<string, string | undefined>;

// `scheme://user:password@host`: the password (group 1).
const URL_USERINFO = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#@:]*:([^\s/?#@]+)@/g;
// `password=…` / `pwd=…` pairs in a DSN or a connection string (group 1).
const DSN_PASSWORD = /(?:^|[\s;?&])(?:password|passwd|pwd|pass)\s*=\s*('[^']*'|"[^"]*"|[^\s;&]+)/gi;

function embeddedSecrets(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(URL_USERINFO)) {
    let v = m[1]!;
    try {
      v = decodeURIComponent(v);
    } catch {
      // not percent-encoded: keep as written
    }
    out.push(v);
    if (v !== m[1]) out.push(m[1]!);
  }
  for (const m of text.matchAll(DSN_PASSWORD)) out.push(m[1]!.replace(/^(['"])(.*)\1$/, '$2'));
  return out;
}

// Finds the secrets in `envs` (the harness's environment, the scenarios' target and service env)
// and `argvs` (the targets' and services' command lines): every secret-looking name with a value
// of at least 6 characters, every name in `listed` with a value of at least 4, URL passwords and
// `password=` pairs anywhere, and the values of secret-looking options. `warnings` names each
// listed variable that has nothing to redact.
export function findSecrets(envs: readonly EnvMap[], listed: readonly string[] = [], argvs: readonly (readonly string[])[] = []): { secrets: Secret[]; warnings: string[] } {
  const secrets: Secret[] = [];
  const seen = new Set<string>();
  const add = (name: string, value: string, min = MIN_SECRET_LENGTH): void => {
    if (value.length < min) return;
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
    if (!env || typeof env !== 'object') continue;
    for (const [name, value] of Object.entries(env)) {
      if (typeof value !== 'string' || value.length === 0) continue;
      for (const inner of embeddedSecrets(value)) add(name, inner);
      if (wanted.has(name)) {
        found.add(name);
        if (value.length >= MIN_LISTED_LENGTH) {
          add(name, value, MIN_LISTED_LENGTH);
          kept.add(name);
        } else short.add(name);
        continue;
      }
      if (SECRET_NAME.test(name)) add(name, value);
    }
  }
  for (const argv of argvs) {
    if (!Array.isArray(argv)) continue;
    argv.forEach((arg, i) => {
      if (typeof arg !== 'string') return;
      for (const inner of embeddedSecrets(arg)) add('argv', inner);
      const m = /^(--?)([A-Za-z][A-Za-z0-9_-]*)(?:=(.*))?$/s.exec(arg);
      if (!m || !SECRET_NAME.test(`_${m[2]!.replace(/-/g, '_')}`.replace(/^_(?=[^_])/, ''))) return;
      const value = m[3] ?? argv[i + 1];
      if (typeof value === 'string' && !(m[3] === undefined && value.startsWith('-'))) add(`${m[1]}${m[2]}`, value);
    });
  }
  const warnings: string[] = [];
  for (const name of wanted) {
    if (!found.has(name)) warnings.push(`--redact ${name}: no such variable in the environment or in a scenario's env; nothing to redact for it`);
    else if (short.has(name) && !kept.has(name)) warnings.push(`--redact ${name}: its value is shorter than ${MIN_LISTED_LENGTH} characters and is not redacted (it would match ordinary text)`);
  }
  return { secrets, warnings };
}

// The secrets a scenario file itself holds (its `env` maps and `args` lists, at any depth), to
// redact its validation errors before they are printed.
export function secretsInInput(input: unknown): Secret[] {
  const envs: EnvMap[] = [];
  const argvs: string[][] = [];
  const seen = new Set<object>();
  const walk = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || depth > 64 || seen.has(v)) return;
    seen.add(v);
    let entries: Array<[string, unknown]>;
    try {
      entries = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
    } catch {
      return;
    }
    for (const [k, x] of entries) {
      if (k === 'env' && x && typeof x === 'object' && !Array.isArray(x)) {
        // Also values of the wrong type (an unquoted YAML number, a list): the error quotes them.
        const env: EnvMap = {};
        for (const [n, s] of Object.entries(x)) {
          if (typeof s === 'string' || typeof s === 'number' || typeof s === 'bigint') env[n] = String(s);
          else if (Array.isArray(s)) s.forEach((e, i) => typeof e === 'string' && (env[`${n}${i ? `_${i}` : ''}`.replace(/_0$/, '')] = e));
        }
        envs.push(env);
      } else if (k === 'env' && typeof x === 'string') {
        // `NAME=value` pairs written as one text.
        const env: EnvMap = {};
        for (const m of x.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S+)/g)) env[m[1]!] = m[2]!;
        envs.push(env);
      }
      if ((k === 'args' || k === 'command') && Array.isArray(x)) argvs.push(x.map((s) => (typeof s === 'string' ? s : Array.isArray(s) ? String(s.find((e) => typeof e === 'string') ?? '') : String(s))));
      if (typeof x === 'string') envs.push({ [k]: x });
      walk(x, depth + 1);
    }
  };
  try {
    walk(input, 0);
  } catch {
    // a hostile value (a throwing getter, a Proxy): what was found so far
  }
  return findSecrets(envs, [], argvs).secrets;
}

const jsonInner = (s: string): string => JSON.stringify(s).slice(1, -1);
const htmlNumeric = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const htmlNamed = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const xmlApos = (s: string): string => htmlNamed(s).replace(/&#39;/g, '&apos;');

// The encoded forms of `value` that are matched exactly (and across a line break): base64 in
// every variant, hex, and the percent-encoding of encodeURIComponent.
export function encodedForms(value: string): string[] {
  const out = new Set<string>([value]);
  try {
    const uri = encodeURIComponent(value);
    out.add(uri);
    out.add(uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  } catch {
    // a lone surrogate: no URL form
  }
  const bytes = Buffer.from(value, 'utf8');
  const b64 = bytes.toString('base64');
  out.add(b64);
  out.add(b64.replace(/=+$/, ''));
  out.add(bytes.toString('base64url'));
  out.add(bytes.toString('hex'));
  out.add(bytes.toString('hex').toUpperCase());
  // Inside a longer base64 text the encoding depends on the value's offset modulo 3: keep, for each
  // offset, the characters that depend on the value's bytes alone (whole groups only).
  for (const shift of [0, 1, 2] as const) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const core = padded.toString('base64').slice([0, 2, 3][shift], Math.floor(padded.length / 3) * 4);
    if (core.length >= MIN_LISTED_LENGTH) {
      out.add(core);
      out.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...out];
}

// Every exact form of `value` (encodedForms, plus JSON escaped twice and HTML/XML entities),
// longest first. Mixed escapes (URL, JSON) are matched by the per-character pattern instead.
export function secretForms(value: string): string[] {
  const out = new Set<string>(encodedForms(value));
  for (const f of [value, jsonInner(value)]) {
    out.add(jsonInner(jsonInner(f)));
    for (const g of [htmlNumeric(f), htmlNamed(f), xmlApos(f)]) out.add(g);
  }
  out.delete('');
  return [...out].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const hexCase = (hex: string): string => hex.replace(/[a-f]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
const SHORT_ESCAPES: Record<string, string> = { '"': '\\\\"', '\\': '\\\\\\\\', '\n': '\\\\n', '\r': '\\\\r', '\t': '\\\\t', '\b': '\\\\b', '\f': '\\\\f', '/': '\\\\/' };

// A regular expression source matching `value` with each character as itself, JSON-escaped
// (`\"`, `\uXXXX` in either case) or percent-encoded (%XX in either case, `+` for a space).
function flexiblePattern(value: string): string {
  let out = '';
  for (const ch of value) {
    const alts = [escapeRegExp(ch)];
    if (SHORT_ESCAPES[ch]) alts.push(SHORT_ESCAPES[ch]!);
    const units = ch.length === 2 ? [ch.charCodeAt(0), ch.charCodeAt(1)] : [ch.charCodeAt(0)];
    alts.push(units.map((u) => `\\\\u${hexCase(u.toString(16).padStart(4, '0'))}`).join(''));
    alts.push([...Buffer.from(ch, 'utf8')].map((b) => `%${hexCase(b.toString(16).padStart(2, '0'))}`).join(''));
    if (ch === ' ') alts.push('\\+');
    out += `(?:${alts.join('|')})`;
  }
  return out;
}

const bounded = (form: string, source: string): string => `${/^\d/.test(form) ? '(?<!\\d)' : ''}${source}${/\d$/.test(form) ? '(?!\\d)' : ''}`;

export interface Redactor {
  // `text` with every form of every secret replaced by `[REDACTED:NAME]`, also across line breaks.
  text(text: string): string;
  // Redacts across the boundary of two consecutive lines: the pieces of a secret that ends `a` and
  // starts `b` (and so is in neither alone) become `[REDACTED:NAME]`; null when none.
  split(a: string, b: string): [string, string] | null;
  // True when there is nothing to redact.
  empty: boolean;
}

// A redactor for `secrets` (the longest match wins; a form that starts or ends with a digit is not
// matched inside a longer number).
export function createRedactor(secrets: readonly Secret[]): Redactor {
  const ordered = [...secrets].filter((s) => s.value.length > 0).sort((a, b) => b.value.length - a.value.length);
  if (ordered.length === 0) return { text: (t) => t, split: () => null, empty: true };
  const labels: string[] = [];
  const sources: string[] = [];
  const byValue = new Map<string, number>();
  // One capture group per distinct value: its exact forms (longest first), then the flexible form.
  for (const s of ordered) {
    if (byValue.has(s.value)) continue;
    byValue.set(s.value, labels.length);
    labels.push(`[REDACTED:${s.name}]`);
    const alts = secretForms(s.value).map((f) => bounded(f, escapeRegExp(f)));
    alts.push(bounded(s.value, flexiblePattern(s.value)));
    sources.push(`(${alts.join('|')})`);
  }
  const pattern = new RegExp(sources.join('|'), 'gu');
  const replaceAll = (text: string): string => text.replace(pattern, (...m: unknown[]) => {
    for (let g = 0; g < labels.length; g++) if (m[g + 1] !== undefined) return labels[g]!;
    return String(m[0]);
  });
  // Pieces for the split check: each prefix of each encoded form, to the forms it starts.
  const prefixes = new Map<string, Array<{ form: string; label: string }>>();
  let longest = 0;
  for (const s of ordered) {
    const label = labels[byValue.get(s.value)!]!;
    for (const form of encodedForms(s.value)) {
      longest = Math.max(longest, form.length);
      for (let k = 1; k < form.length; k++) {
        const key = form.slice(0, k);
        let list = prefixes.get(key);
        if (!list) prefixes.set(key, (list = []));
        list.push({ form, label });
      }
    }
  }
  const split = (a: string, b: string): [string, string] | null => {
    for (let k = Math.min(longest - 1, a.length); k >= 1; k--) {
      const list = prefixes.get(a.slice(a.length - k));
      if (!list) continue;
      for (const { form, label } of list) {
        if (form.length > k && b.startsWith(form.slice(k))) return [a.slice(0, a.length - k) + label, label + b.slice(form.length - k)];
      }
    }
    return null;
  };
  const text = (input: string): string => {
    const out = replaceAll(input);
    if (!/[\r\n]|\\n/.test(out)) return out;
    // Line breaks (real, or JSON-escaped inside a text) may cut a secret in two.
    const parts = out.split(/(\r\n|\n|\r|\\r\\n|\\n)/);
    let changed = false;
    for (let i = 0; i + 2 < parts.length; i += 2) {
      const pair = split(parts[i]!, parts[i + 2]!);
      if (pair) {
        [parts[i], parts[i + 2]] = pair;
        changed = true;
      }
    }
    return changed ? parts.join('') : out;
  };
  return { text, split, empty: false };
}

let active: Redactor | undefined;
let activeSecrets: Secret[] = [];

// Sets the process-wide redaction (used by every artifact writer) from environments, listed names
// and command lines; returns what it found. Until it is called, the secrets of process.env are used.
export function configureRedaction(options: { envs?: readonly EnvMap[]; names?: readonly string[]; argvs?: readonly (readonly string[])[] } = {}): { secrets: Secret[]; warnings: string[] } {
  const found = findSecrets(options.envs ?? [process.env], options.names ?? [], options.argvs ?? []);
  activeSecrets = found.secrets;
  active = createRedactor(found.secrets);
  return found;
}

function current(): Redactor {
  if (!active) configureRedaction();
  return active!;
}

// The names of the secrets currently redacted (never their values).
export function redactedNames(): string[] {
  current();
  return [...new Set(activeSecrets.map((s) => s.name))];
}

// True when a secret is configured (redaction may change something).
export function redactionActive(): boolean {
  return !current().empty;
}

// `text` with every configured secret replaced by `[REDACTED:NAME]`: for free text only (the
// console, an error message); structured data goes through redactValue.
export function redact(text: string): string {
  return current().text(text);
}

// The redaction of two consecutive lines of one stream (see Redactor.split), or null.
export function redactSplit(a: string, b: string): [string, string] | null {
  return current().split(a, b);
}

// A copy of `value` with every string value redacted (object keys, numbers and the values of
// VOCABULARY_KEYS untouched), so its serialization keeps its structure. Cycles become null.
export function redactValue<T>(value: T, redactor: Redactor = current()): T {
  if (redactor.empty) return value;
  const stack = new Set<object>();
  const walk = (v: unknown, key: string | undefined): unknown => {
    if (typeof v === 'string') return key !== undefined && VOCABULARY_KEYS.has(key) ? v : redactor.text(v);
    if (v === null || typeof v !== 'object') return v;
    if (stack.has(v)) return null;
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return walk((toJSON as () => unknown).call(v), key);
    stack.add(v);
    try {
      if (Array.isArray(v)) return v.map((x) => walk(x, undefined));
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
      return out;
    } finally {
      stack.delete(v);
    }
  };
  return walk(value, undefined) as T;
}

// Redacts everything later written to `stream` as text (the console: CI logs are artifacts too).
export function redactWrites(stream: NodeJS.WritableStream): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => write(typeof chunk === 'string' ? redact(chunk) : chunk, ...rest)) as typeof stream.write;
}
