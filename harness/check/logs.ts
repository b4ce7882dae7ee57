import { eventsOf, type HistoryEvent, type LogLineEvent } from '../history/events.js';
import type { ExpectSpec } from '../scenario/schema.js';
import { firstSignal } from './evidence.js';
import { fail, noEvidence, pass, type CheckDefinition, type CheckResult } from './types.js';

type Pattern = NonNullable<ExpectSpec['logPresent']>[number];

interface Normalized {
  pattern: string;
  stream: 'stdout' | 'stderr' | 'any';
  afterSignal: boolean;
}

function normalize(p: Pattern): Normalized {
  return typeof p === 'string' ? { pattern: p, stream: 'any', afterSignal: false } : p;
}

function candidates(events: readonly HistoryEvent[], p: Normalized): LogLineEvent[] {
  const from = p.afterSignal ? firstSignal(events)?.t ?? Infinity : -Infinity;
  return eventsOf(events, 'log:line').filter((l) => (p.stream === 'any' || l.stream === p.stream) && l.t >= from);
}

function dropped(events: readonly HistoryEvent[]): number {
  return eventsOf(events, 'log:dropped').reduce((n, d) => n + d.dropped, 0);
}

function judgeLines(name: 'log-present' | 'log-absent', patterns: Pattern[], events: readonly HistoryEvent[]): CheckResult {
  const list = patterns.map(normalize);
  const expected = { [name === 'log-present' ? 'present' : 'absent']: list.map((p) => p.pattern) };
  if (eventsOf(events, 'target:spawned').length === 0) return noEvidence(name, expected, 'the target never started, so it printed nothing');
  const lost = dropped(events);
  const matched: Array<{ pattern: string; line: string | null; t: number | null }> = list.map((p) => {
    const re = new RegExp(p.pattern);
    const hit = candidates(events, p).find((l) => re.test(l.line));
    return { pattern: p.pattern, line: hit?.line ?? null, t: hit?.t ?? null };
  });
  const bad = matched.filter((m) => (name === 'log-present' ? m.line === null : m.line !== null));
  if (bad.length === 0) {
    if (name === 'log-absent' && lost > 0) {
      return noEvidence(name, expected, `no kept line matches, but ${lost} lines were dropped (output flood), so absence is unproven; raise target.outputLines`);
    }
    return pass(name, expected, { matches: matched }, name === 'log-present' ? `all ${list.length} patterns printed` : `none of ${list.length} patterns printed`);
  }
  if (name === 'log-present' && lost > 0) {
    return noEvidence(name, expected, `not found: ${bad.map((b) => `/${b.pattern}/`).join(', ')}, but ${lost} lines were dropped (output flood); raise target.outputLines`);
  }
  const message = name === 'log-present'
    ? `never printed: ${bad.map((b) => `/${b.pattern}/`).join(', ')}`
    : `printed: ${bad.map((b) => `/${b.pattern}/ in "${b.line!.slice(0, 120)}"`).join(', ')}`;
  return fail(name, expected, { matches: matched }, message, bad);
}

// log-present: every pattern matches a line of output (optionally on one stream, after the signal).
export const logPresent: CheckDefinition = {
  name: 'log-present',
  applies: (spec) => (spec.expect.logPresent?.length ?? 0) > 0,
  judge: ({ spec, events }) => judgeLines('log-present', spec.expect.logPresent!, events),
};

// log-absent: no pattern matches any line of output.
export const logAbsent: CheckDefinition = {
  name: 'log-absent',
  applies: (spec) => (spec.expect.logAbsent?.length ?? 0) > 0,
  judge: ({ spec, events }) => judgeLines('log-absent', spec.expect.logAbsent!, events),
};

// log-order: the patterns are printed in this order (e.g. LIFO cleanup); each is matched by the
// first line after the previous pattern's line.
export const logOrder: CheckDefinition = {
  name: 'log-order',
  applies: (spec) => (spec.expect.logOrder?.length ?? 0) > 1,
  judge({ spec, events }) {
    const patterns = spec.expect.logOrder!;
    const expected = { order: patterns };
    const lines = eventsOf(events, 'log:line');
    if (eventsOf(events, 'target:spawned').length === 0) return noEvidence('log-order', expected, 'the target never started, so it printed nothing');
    // Where each pattern first appears at all, to say what the real order was.
    const firstAt = patterns.map((p) => {
      const re = new RegExp(p);
      const i = lines.findIndex((l) => re.test(l.line));
      return { pattern: p, index: i, line: i >= 0 ? lines[i]!.line : null };
    });
    const missing = firstAt.filter((f) => f.index < 0);
    if (missing.length) {
      return fail('log-order', expected, { seen: firstAt.filter((f) => f.index >= 0).sort((a, b) => a.index - b.index).map((f) => f.line) },
        `never printed: ${missing.map((m) => `/${m.pattern}/`).join(', ')}`);
    }
    const seen = [...firstAt].sort((a, b) => a.index - b.index).map((f) => f.line);
    let from = -1;
    for (const p of patterns) {
      const re = new RegExp(p);
      const i = lines.findIndex((l, k) => k > from && re.test(l.line));
      if (i < 0) return fail('log-order', expected, { seen }, `out of order: /${p}/ did not follow the line before it; printed order: ${seen.join(' → ').slice(0, 300)}`);
      from = i;
    }
    return pass('log-order', expected, { seen }, `printed in order: ${seen.join(' → ').slice(0, 300)}`);
  },
};
