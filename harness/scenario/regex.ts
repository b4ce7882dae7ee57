import { RE2JS } from 're2js';
import { HarnessError, type HarnessErrorCode } from '../errors.js';

// Every regular expression a user writes (ready.log, strike.at.onLog, log checks, tcp greeting and
// expect, inspect stdoutMatches, wsGoodbye, --grep) is compiled here, with RE2 semantics.
//
// Engine: re2js (a pure-JS port of RE2/Go regexp, MIT, no native build, node >= 20). It matches
// in time linear in the input (an automaton, no backtracking), so a catastrophic pattern such as
// `^(a+)+$` against a long line costs microseconds instead of pinning the event loop (which also
// makes the harness deaf to SIGTERM, its timers and its own deadline). The alternatives were
// weaker: the native `re2` binding needs a compiler at install time, and running V8's RegExp in
// a worker with a deadline still burns a CPU until the deadline and adds a thread hop per line.
// The price is RE2's syntax: no backreferences (`\1`, `\k<name>`) and no lookaround (`(?=`,
// `(?!`, `(?<=`, `(?<!`); patterns using them are rejected when the scenario is loaded (exit 2,
// naming the field and what to write instead), never at match time.

// A compiled user pattern: `test` is true when the pattern matches anywhere in the text.
export interface UserRegex {
  readonly source: string;
  test(text: string): boolean;
}

// Why RE2 cannot compile `pattern` (a sentence naming the construct and what to change), or
// undefined when it compiles. Never throws.
export function userRegexProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    const description = typeof (error as { getDescription?: unknown }).getDescription === 'function'
      ? (error as { getDescription(): string }).getDescription()
      : String((error as Error)?.message ?? error);
    return `/${shorten(pattern)}/ is not a regular expression the harness runs (${description})${hint(pattern)}. Patterns use RE2 syntax (https://github.com/google/re2/wiki/Syntax), which matches in linear time`;
  }
}

// Compiles a user pattern for `field` (e.g. `target.ready.log`); throws HarnessError `code`
// (SCENARIO_INVALID unless told) naming the field and what to change when RE2 cannot compile it.
export function compileUserRegex(pattern: string, field: string, code: HarnessErrorCode = 'SCENARIO_INVALID'): UserRegex {
  const problem = userRegexProblem(pattern);
  if (problem !== undefined) throw new HarnessError(code, `${field}: ${problem}`);
  const re = RE2JS.compile(pattern);
  return { source: pattern, test: (text: string): boolean => re.test(text) };
}

// An ack pattern (ws and browser load) as a regular expression source: `{seq}` becomes a capture
// of digits, `{client}` the client's id (escaped).
export function ackPatternSource(pattern: string, client: string): string {
  return pattern.split('{seq}').map((part) => part.split('{client}').join(literalPattern(client))).join('(\\d+)');
}

// `text` as a pattern that matches exactly it (its special characters escaped).
export function literalPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Why an ack pattern cannot be used (RE2 for the ws driver; the browser page runs it as a
// JavaScript RegExp, so it must be both), or undefined. Never throws.
export function ackPatternProblem(pattern: string): string | undefined {
  if (!pattern.includes('{seq}')) return `"${shorten(pattern)}" has no {seq}: an ack must say which message it acknowledges (e.g. "ack":{seq}\\b)`;
  const source = ackPatternSource(pattern, 'c0');
  const problem = userRegexProblem(source);
  if (problem !== undefined) return problem;
  try {
    new RegExp(source, 'g');
    return undefined;
  } catch (error) {
    return `/${shorten(source)}/ is not a JavaScript regular expression, which the browser driver's page needs (${(error as Error).message}): write it in the syntax RE2 and JavaScript share`;
  }
}

// The seqs a received message acknowledges, in order (linear-time RE2 matching).
export function ackMatcher(pattern: string, client: string): (text: string) => number[] {
  const re = RE2JS.compile(ackPatternSource(pattern, client));
  return (text) => {
    const out: number[] = [];
    const m = re.matcher(text);
    while (m.find()) out.push(Number(m.group(1)));
    return out;
  };
}

function shorten(pattern: string): string {
  return pattern.length > 80 ? `${pattern.slice(0, 77)}...` : pattern;
}

// What to write instead, for the JavaScript-only constructs people reach for.
function hint(pattern: string): string {
  if (/\\[1-9]|\\k</.test(pattern)) return '; backreferences (\\1, \\k<name>) are not supported: match the repeated text explicitly, or check it with two patterns';
  if (/\(\?<?[=!]/.test(pattern)) return '; lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported: match the surrounding text instead, or use log-absent for "not followed by"';
  if (/\\u[0-9a-fA-F{]/.test(pattern)) return '; write a code point as \\x{00e9} instead of \\u00e9';
  if (/\\c[A-Za-z]/.test(pattern)) return '; write a control character as \\x01 instead of \\cA';
  if (pattern.includes('[^]')) return '; write [\\s\\S] (any character) instead of [^]';
  if (/\{\d{4,}/.test(pattern)) return '; a repeat count is at most 1000';
  return '';
}
