import { escalation, escalationOfRest, exitText, firstSignal, targetExit } from '../check/evidence.js';
import { briefCmd, cutWords, isWrapper, placementText, seenProcesses } from '../check/placement.js';
import type { CheckResult } from '../check/result.js';
import { eventsOf, firstOf, type HistoryEvent } from '../history/events.js';

// One root cause of a failing run: the check that names it, a one-line headline, and the other
// failed checks it explains (each with why). Folding is presentation only: every folded check
// still fails and is still listed.
export interface RootCause {
  // escalation: the plan had to send SIGKILL; harness-ended: the harness ended a target that never
  // exited; exited-early: it died of a signal it should have survived; wrapper-exit: the leader
  // exited and left processes running; ignored-signal: a repeated signal was not acted on;
  // dropped-connections: WebSocket clients closed without a close frame; reset: connections
  // reset; check: one check on its own.
  kind: 'escalation' | 'harness-ended' | 'exited-early' | 'wrapper-exit' | 'ignored-signal' | 'dropped-connections' | 'reset' | 'check';
  // The check whose failure is the cause.
  check: string;
  headline: string;
  // The failed checks this cause explains (not the cause's own check).
  explains: Array<{ check: string; why: string }>;
}

// A failing run's causes, most telling first, and the headline of the whole run: the first
// cause's, with a count of the others. Every non-passing check belongs to exactly one cause.
export interface RunRootCause {
  headline: string;
  causes: RootCause[];
}

const LOAD_CUT = ['drain', 'no-reset', 'ws-close-codes', 'ws-goodbye', 'new-work-rejected'];
// An operation that ended this little before the kill was sent was already being cut by it.
const KILL_SLACK_MS = 1;

// The root causes of a run from its checks and its history (pure). Null when every check passed.
export function rootCauseOf(checks: readonly CheckResult[], events: readonly HistoryEvent[]): RunRootCause | null {
  const bad = checks.filter((c) => c.status !== 'pass');
  if (bad.length === 0) return null;
  const open = new Map(bad.map((c) => [c.name, c]));
  const causes: RootCause[] = [];
  const claim = (kind: RootCause['kind'], check: string, headline: string, consequences: Array<{ check: string; why: string } | null>): void => {
    open.delete(check);
    const explains = consequences.filter((x): x is { check: string; why: string } => x !== null && open.has(x.check));
    for (const x of explains) open.delete(x.check);
    causes.push({ kind, check, headline, explains });
  };
  const failed = (name: string): CheckResult | undefined => {
    const c = open.get(name);
    return c && c.status === 'fail' ? c : undefined;
  };
  const first = firstSignal(events);
  const exit = targetExit(events);
  const esc = escalation(events);
  const sig = first?.signal ?? 'the signal';

  // 1. The plan had to escalate: the hang explains the exit, the time, and whatever the kill cut.
  const escCause = esc && ['no-escalation', 'time-to-exit', 'exit-status'].find((c) => failed(c));
  if (esc && escCause) {
    const after = first ? took(esc.t - first.t) : '?';
    const where = first ? signalReach(first, events) : '';
    const rest = escalationOfRest(events);
    const headline = rest && exit && first
      ? `the main process exited ${took(exit.t - first.t)} after ${sig}, but the rest of its tree (pid ${rest.pids.join(', ')}) was still running ${after} later, so it was killed with ${esc.signal} (${rest.reason})`
      : `did not exit after ${sig}${where}: still running ${after} later, so it was killed with ${esc.signal}`;
    claim('escalation', escCause, headline, [
      failed('no-escalation') ? { check: 'no-escalation', why: `the ${esc.signal} is the escalation` } : null,
      failed('exit-status') && exit && (exit.signal === esc.signal || exit.byHarness || exit.t >= esc.t) ? { check: 'exit-status', why: `the exit (${exitText(exit)}) is the ${esc.signal}'s` } : null,
      failed('time-to-exit') && (!exit || exit.byHarness || exit.t >= esc.t - KILL_SLACK_MS) ? { check: 'time-to-exit', why: `the exit came only with the ${esc.signal}` } : null,
      ...neverPrinted(open, `the target was killed before it printed it`),
      ...cutAt(open, first?.t, esc.t, `cut by the ${esc.signal}`),
    ]);
  }

  // 2. The harness ended a target that never exited by itself (no escalation planned, the run's timeout).
  const stop = firstOf(events, 'harness:stop');
  if (!esc && exit?.byHarness && stop && stop.reason !== 'still-running' && (failed('exit-status') || failed('time-to-exit') || failed('no-escalation'))) {
    const cause = failed('time-to-exit') ? 'time-to-exit' : failed('exit-status') ? 'exit-status' : 'no-escalation';
    const after = first ? ` ${took(stop.t - first.t)} after ${sig}` : '';
    claim('harness-ended', cause, `never exited by itself: still running${after}, when the harness ended it (${stop.reason})`, [
      ...['exit-status', 'time-to-exit', 'no-escalation'].map((c) => (failed(c) ? { check: c, why: 'the harness ended the target itself' } : null)),
      ...neverPrinted(open, 'the target was ended by the harness before it printed it'),
      ...cutAt(open, first?.t, stop.t, 'cut when the harness ended the target'),
    ]);
  }

  // 3. It died of a signal it should have survived (a reload on SIGHUP).
  const still = failed('still-running');
  if (still && exit && first) {
    claim('exited-early', 'still-running', `exited ${took(exit.t - first.t)} after ${sig} (${exitText(exit)}) instead of surviving it`, [
      failed('exit-status') ? { check: 'exit-status', why: `the exit after ${sig}` } : null,
      ...neverPrinted(open, `the target exited before it printed it`),
    ]);
  }

  // 4. The leader exited and left processes running: the orphans' own shutdown was cut short.
  const orphans = eventsOf(events, 'orphan:found').filter((o) => !o.source);
  if (failed('no-orphans') && orphans.length && exit && !exit.byHarness) {
    const leader = firstOf(events, 'target:spawned');
    const seen = seenProcesses(events);
    const leaderCmd = leader ? [leader.command, ...leader.args].join(' ') : 'the target';
    const role = isWrapper(leaderCmd) ? 'the wrapper' : 'the leader';
    const o = orphans[0]!;
    const child = seen.get(o.pid)?.ppid === leader?.pid ? 'its child' : 'its descendant';
    const where = o.escapedGroup ? `, ${placementText(o, events)}` : '';
    const more = orphans.length > 1 ? ` and ${orphans.length - 1} more` : '';
    const when = first ? ` ${took(exit.t - first.t)} after ${sig}` : '';
    claim('wrapper-exit', 'no-orphans', `${role} \`${briefCmd(leaderCmd)}\`${leader ? ` (pid ${leader.pid})` : ''} exited (${exitText(exit)})${when} and left ${child} \`${briefCmd(o.cmd)}\` (pid ${o.pid}${where}) running${more}`, [
      ...neverPrinted(open, `the process left running was killed by the harness's sweep before it printed it`),
    ]);
  }

  // 5. A repeated signal (a second Ctrl+C) that was not acted on: the target took its slow path.
  const planned = eventsOf(events, 'signal:sent').filter((e) => !e.escalation && !e.error);
  const slow = failed('time-to-exit');
  const fromLast = (slow?.expected as { from?: string } | undefined)?.from === 'last-signal';
  if (slow && fromLast && planned.length >= 2 && exit && !exit.byHarness && !esc) {
    const last = planned.at(-1)!;
    claim('ignored-signal', 'time-to-exit', `did not act on the ${ordinal(planned.length)} ${last.signal}: exited ${took(exit.t - last.t)} after it (${exitText(exit)}), by the path it was already on`, [
      failed('exit-status') ? { check: 'exit-status', why: `the exit is the first ${sig}'s slow path, not the ${ordinal(planned.length)}'s` } : null,
      ...neverPrinted(open, `the path for the ${ordinal(planned.length)} ${last.signal} never ran`),
    ]);
  }

  // 6. WebSocket connections dropped without a close frame (1006): their messages in flight and the goodbye went with them.
  const closes = failed('ws-close-codes');
  const abnormal = closes ? records(closes).filter((d) => d['code'] === 1006) : [];
  if (closes && abnormal.length && abnormal.length === records(closes).length) {
    const dropped = new Set(abnormal.map((d) => `${String(d['driver'])}\u0000${String(d['client'])}`));
    const firstAt = Math.min(...abnormal.map((d) => (typeof d['offsetMs'] === 'number' ? d['offsetMs'] : Infinity)));
    const goodbye = failed('ws-goodbye');
    const drainC = failed('drain');
    claim('dropped-connections', 'ws-close-codes', `dropped ${abnormal.length} of ${(closes.actual as { clients?: number } | null)?.clients ?? abnormal.length} WebSocket connections without a close frame (1006)${Number.isFinite(firstAt) ? `, the first ${took(firstAt)} after ${sig}` : ''}`, [
      goodbye && records(goodbye).length && records(goodbye).every((d) => dropped.has(`${String(d['driver'])}\u0000${String(d['client'])}`)) ? { check: 'ws-goodbye', why: 'the clients without a goodbye are the ones dropped' } : null,
      drainC && records(drainC).length && records(drainC).every((d) => (d['outcome'] === 'closed' || d['outcome'] === 'reset') && typeof d['endOffsetMs'] === 'number' && d['endOffsetMs'] >= 0) ? { check: 'drain', why: 'the operations that failed were cut when their connections were dropped' } : null,
    ]);
  }

  // 7. Connections reset: a reset in flight is also a failed drain; one after the signal also new work not cleanly rejected.
  const reset = failed('no-reset');
  if (reset) {
    const onlyResets = (c: CheckResult | undefined): boolean => {
      const items = (c?.details ?? []).filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null && 'outcome' in d);
      return items.length > 0 && items.every((d) => d['outcome'] === 'reset');
    };
    claim('reset', 'no-reset', `connections were reset: ${reset.message}`, [
      onlyResets(failed('drain')) ? { check: 'drain', why: 'the operations that failed to drain were the ones reset' } : null,
      onlyResets(failed('new-work-rejected')) ? { check: 'new-work-rejected', why: 'the new work not cleanly rejected was reset' } : null,
    ]);
  }

  // Whatever is left stands on its own.
  for (const c of [...open.values()]) claim('check', c.name, `${c.name}${c.status === 'error' ? ' (no evidence)' : ''}: ${c.message}`, []);
  const [main, ...others] = causes;
  const headline = others.length ? `${main!.headline} (and ${others.length} other cause${others.length === 1 ? '' : 's'}: ${others.map((c) => c.check).join(', ')})` : main!.headline;
  return { headline: oneLine(headline), causes: causes.map((c) => ({ ...c, headline: oneLine(c.headline) })) };
}

// Where the first signal went, when it went to a wrapper alone: ` (SIGINT went to \`sh\` (pid 12) only, not to its child \`node app.mjs\` (pid 13))`.
function signalReach(first: NonNullable<ReturnType<typeof firstSignal>>, events: readonly HistoryEvent[]): string {
  if (first.deliver !== 'process' || first.pids.length !== 1) return '';
  const seen = seenProcesses(events);
  const to = seen.get(first.pids[0]!);
  if (!to || !isWrapper(to.cmd)) return '';
  const child = [...seen.values()].find((p) => p.ppid === to.pid);
  return child ? ` (it went to the wrapper \`${briefCmd(to.cmd)}\` (pid ${to.pid}) only, not to its child \`${briefCmd(child.cmd)}\` (pid ${child.pid}))` : '';
}

// A check's detail records (objects), without the `{ more: n }` cap marker.
function records(c: CheckResult): Array<Record<string, unknown>> {
  return (c.details ?? []).filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null && !('more' in d));
}

function ordinal(n: number): string {
  return n === 2 ? 'second' : n === 3 ? 'third' : `${n}th`;
}

// log-present / log-order failures that are lines never printed (not lines printed wrongly).
function neverPrinted(open: ReadonlyMap<string, CheckResult>, why: string): Array<{ check: string; why: string }> {
  return ['log-present', 'log-order'].flatMap((name) => {
    const c = open.get(name);
    return c && c.status === 'fail' && c.message.startsWith('never printed:') ? [{ check: name, why }] : [];
  });
}

// Load checks whose every failure ended at or after `killT` (or never ended): cut by the kill.
function cutAt(open: ReadonlyMap<string, CheckResult>, signalT: number | undefined, killT: number, why: string): Array<{ check: string; why: string }> {
  if (signalT === undefined) return [];
  const killOffset = killT - signalT - KILL_SLACK_MS;
  return LOAD_CUT.flatMap((name) => {
    const c = open.get(name);
    if (!c || c.status !== 'fail') return [];
    const items = (c.details ?? []).filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null && !('more' in d));
    if (items.length === 0) return [];
    const atKill = items.every((d) => {
      if (d['summarized']) return false;
      const end = d['endOffsetMs'] ?? d['closeOffsetMs'] ?? d['offsetMs'];
      if (end === null) return true;
      if (typeof end === 'number') return end >= killOffset;
      // A client never closed, or closed by the harness: the kill took its server away.
      return typeof d['problem'] === 'string' && /never closed|the harness did/.test(d['problem']);
    });
    return atKill ? [{ check: name, why }] : [];
  });
}

// A duration for a headline: `1.4 ms`, `850 ms`, `3.0 s`.
function took(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1_000).toFixed(1)} s`;
}

// One line: control characters and line breaks as spaces, at most 400 characters (cut between words).
function oneLine(text: string): string {
  return cutWords(text.replace(/[\x00-\x1f\x7f]+/g, ' '), 400);
}
