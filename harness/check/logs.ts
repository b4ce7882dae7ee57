import { eventsOf, type HistoryEvent, type LogLineEvent } from '../history/events.js';
import { checkKit } from '../scenario/fields.js';
import { compileUserRegex, type UserRegex } from '../scenario/regex.js';
import { firstSignal } from './evidence.js';
import type { ExpectSpec, RunSpec } from './registry.js';
import { defineCheck, fail, noEvidence, pass, type CheckResult } from './types.js';

const { z, regex, streamOf } = checkKit;

// A log expectation is about the target's own lines unless `source` names a service (one instance
// for the three log checks, so the JSON Schema and the reference describe it once).
const LogPattern = z.union([regex, z.strictObject({ pattern: regex.describe('RE2 pattern a line must match'), stream: streamOf, afterSignal: z.boolean().default(false).describe('Only lines printed after the first signal count'), source: z.string().min(1).optional().describe('Judge the lines of the service with this name instead of the target\'s') })]);

type Pattern = NonNullable<ExpectSpec['logPresent']>[number];

interface Normalized {
  pattern: string;
  re: UserRegex;
  stream: 'stdout' | 'stderr' | 'any';
  afterSignal: boolean;
  // The service whose lines are judged; undefined = the target's own lines.
  source: string | undefined;
}

function normalize(p: Pattern, field: string): Normalized {
  const o = typeof p === 'string' ? { pattern: p, stream: 'any' as const, afterSignal: false, source: undefined } : p;
  return { pattern: o.pattern, re: compileUserRegex(o.pattern, field), stream: o.stream, afterSignal: o.afterSignal, source: o.source };
}

// The lines a pattern is judged against: the target's own (log:line without `source`), or the named
// service's; never another process's, so a service's line cannot satisfy the target's expectation.
function candidates(events: readonly HistoryEvent[], p: Normalized): LogLineEvent[] {
  const from = p.afterSignal ? firstSignal(events)?.t ?? Infinity : -Infinity;
  return eventsOf(events, 'log:line').filter((l) => l.source === p.source && (p.stream === 'any' || l.stream === p.stream) && l.t >= from);
}

// Lines dropped by an output flood; only the target's output is capped.
function dropped(events: readonly HistoryEvent[], list: readonly Normalized[]): number {
  if (list.every((p) => p.source !== undefined)) return 0;
  return eventsOf(events, 'log:dropped').reduce((n, d) => n + d.dropped, 0);
}

// A `source` that names no service of the run (a typo would otherwise judge an empty output).
function unknownSource(spec: RunSpec, list: readonly Normalized[]): string | undefined {
  const names = new Set(spec.services.map((s) => s.name));
  const bad = list.find((p) => p.source !== undefined && !names.has(p.source));
  if (!bad) return undefined;
  return `source "${bad.source}" of /${bad.pattern}/ names no service of this run (services: ${[...names].join(', ') || 'none'}); omit source for the target's own lines`;
}

const where = (p: Normalized): string => (p.source === undefined ? '' : ` (service ${p.source})`);

function judgeLines(name: 'log-present' | 'log-absent', patterns: Pattern[], spec: RunSpec, events: readonly HistoryEvent[]): CheckResult {
  const field = name === 'log-present' ? 'expect.logPresent' : 'expect.logAbsent';
  const list = patterns.map((p, i) => normalize(p, `${field}[${i}]`));
  const expected = { [name === 'log-present' ? 'present' : 'absent']: list.map((p) => (p.source === undefined ? p.pattern : { pattern: p.pattern, source: p.source })) };
  const unknown = unknownSource(spec, list);
  if (unknown) return noEvidence(name, expected, unknown);
  if (eventsOf(events, 'target:spawned').length === 0) return noEvidence(name, expected, 'the target never started, so it printed nothing');
  // No line can follow a signal never sent: absence after it proves nothing (log-present fails).
  const unsignalled = name === 'log-absent' && !firstSignal(events) ? list.find((p) => p.afterSignal) : undefined;
  if (unsignalled) return noEvidence(name, expected, `no signal was sent, so /${unsignalled.pattern}/ (afterSignal) had no lines to be absent from`);
  const lost = dropped(events, list);
  const matched: Array<{ pattern: string; source?: string; line: string | null; t: number | null }> = list.map((p) => {
    const hit = candidates(events, p).find((l) => p.re.test(l.line));
    return { pattern: p.pattern, ...(p.source === undefined ? {} : { source: p.source }), line: hit?.line ?? null, t: hit?.t ?? null };
  });
  const bad = matched.filter((m) => (name === 'log-present' ? m.line === null : m.line !== null));
  const label = (m: (typeof matched)[number]): string => `/${m.pattern}/${m.source === undefined ? '' : ` (service ${m.source})`}`;
  if (bad.length === 0) {
    if (name === 'log-absent' && lost > 0) {
      return noEvidence(name, expected, `no kept line matches, but ${lost} lines were dropped (output flood), so absence is unproven; raise target.outputLines`);
    }
    return pass(name, expected, { matches: matched }, name === 'log-present' ? `all ${list.length} patterns printed` : `none of ${list.length} patterns printed`);
  }
  if (name === 'log-present' && lost > 0 && bad.some((b) => b.source === undefined)) {
    return noEvidence(name, expected, `not found: ${bad.map(label).join(', ')}, but ${lost} lines were dropped (output flood); raise target.outputLines`);
  }
  const message = name === 'log-present'
    ? `never printed: ${bad.map(label).join(', ')}`
    : `printed: ${bad.map((b) => `${label(b)} in "${b.line!.slice(0, 120)}"`).join(', ')}`;
  return fail(name, expected, { matches: matched }, message, bad);
}

const logPresentFields = {
  logPresent: z.array(LogPattern).optional().describe('log-present: the target printed a line matching each pattern'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'log-present': typeof logPresentFields }
}

// log-present: every pattern matches a line of the target's own output (or the named service's;
// optionally on one stream, after the signal).
export const logPresent = defineCheck({
  name: 'log-present',
  expect: logPresentFields,
  applies: (spec) => (spec.expect.logPresent?.length ?? 0) > 0,
  judge: ({ spec, events }) => judgeLines('log-present', spec.expect.logPresent!, spec, events),
});

const logAbsentFields = {
  logAbsent: z.array(LogPattern).optional().describe('log-absent: the target printed no line matching any pattern'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'log-absent': typeof logAbsentFields }
}

// log-absent: no pattern matches any line of the target's own output (or the named service's). A
// pattern judged after the signal, in a run where no signal was sent, is no evidence (`error`).
export const logAbsent = defineCheck({
  name: 'log-absent',
  expect: logAbsentFields,
  applies: (spec) => (spec.expect.logAbsent?.length ?? 0) > 0,
  judge: ({ spec, events }) => judgeLines('log-absent', spec.expect.logAbsent!, spec, events),
});

const logOrderFields = {
  logOrder: z.array(LogPattern).min(2).optional().describe('log-order: lines matching these patterns were printed in this order'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'log-order': typeof logOrderFields }
}

// log-order: the patterns are printed in this order (e.g. LIFO cleanup); each is matched by the
// first line after the previous pattern's line. Lines are the target's own unless a pattern names
// a service (`source`); lines of different processes are ordered by their timestamps.
export const logOrder = defineCheck({
  name: 'log-order',
  expect: logOrderFields,
  applies: (spec) => (spec.expect.logOrder?.length ?? 0) > 1,
  judge({ spec, events }) {
    const list = spec.expect.logOrder!.map((p, i) => normalize(p, `expect.logOrder[${i}]`));
    const expected = { order: list.map((p) => (p.source === undefined ? p.pattern : { pattern: p.pattern, source: p.source })) };
    const unknown = unknownSource(spec, list);
    if (unknown) return noEvidence('log-order', expected, unknown);
    const lines = eventsOf(events, 'log:line');
    if (eventsOf(events, 'target:spawned').length === 0) return noEvidence('log-order', expected, 'the target never started, so it printed nothing');
    const from = (p: Normalized): number => (p.afterSignal ? firstSignal(events)?.t ?? Infinity : -Infinity);
    const fits = (p: Normalized, l: LogLineEvent): boolean =>
      l.source === p.source && (p.stream === 'any' || l.stream === p.stream) && l.t >= from(p) && p.re.test(l.line);
    // Where each pattern first appears at all, to say what the real order was.
    const firstAt = list.map((p) => {
      const i = lines.findIndex((l) => fits(p, l));
      return { pattern: p.pattern, index: i, line: i >= 0 ? lines[i]!.line : null, p };
    });
    const missing = firstAt.filter((f) => f.index < 0);
    if (missing.length) {
      return fail('log-order', expected, { seen: firstAt.filter((f) => f.index >= 0).sort((a, b) => a.index - b.index).map((f) => f.line) },
        `never printed: ${missing.map((m) => `/${m.pattern}/${where(m.p)}`).join(', ')}`);
    }
    const seen = [...firstAt].sort((a, b) => a.index - b.index).map((f) => f.line);
    let at = -1;
    for (const p of list) {
      const i = lines.findIndex((l, k) => k > at && fits(p, l));
      if (i < 0) return fail('log-order', expected, { seen }, `out of order: /${p.pattern}/${where(p)} did not follow the line before it; printed order: ${seen.join(' → ').slice(0, 300)}`);
      at = i;
    }
    return pass('log-order', expected, { seen }, `printed in order: ${seen.join(' → ').slice(0, 300)}`);
  },
});
