import { eventsOf, firstOf, type HistoryEvent, type OrphanFoundEvent } from '../history/events.js';

// Programs that start the app rather than being it: shells, package-manager scripts, inits.
const WRAPPERS = new Set(['sh', 'bash', 'dash', 'zsh', 'ash', 'busybox', 'npm', 'npx', 'yarn', 'pnpm', 'tini', 'dumb-init', 'catatonit', 'gosu', 'su-exec', 'runuser', 'su', 'sudo', 'env', 'nohup', 'setsid', 'timeout', 'uv', 'poetry']);
// Inits that give their child a process group (tini: setpgid) or a session (dumb-init: setsid).
const INITS = new Set(['tini', 'dumb-init', 'catatonit']);

// The program of a command line: `/usr/bin/tini -- node app.js` -> `tini`, `node app.js` -> `node`.
export function programOf(cmd: string): string {
  const first = cmd.trim().split(/\s+/)[0] ?? '';
  return first.split('/').at(-1) ?? first;
}

// True when a command line is a wrapper (a shell, npm, an init, ...) rather than an app.
export function isWrapper(cmd: string): boolean {
  return WRAPPERS.has(programOf(cmd));
}

// A process as first seen by the tracker (before its parent died and it was re-parented).
export interface SeenProcess { pid: number; ppid: number; pgid: number; sid: number; cmd: string }

// Every process the tracker saw, by pid (the first sighting: the original parent). The leader's
// command is the target's own (a first sighting may predate its exec, e.g. the containment's join).
export function seenProcesses(events: readonly HistoryEvent[]): Map<number, SeenProcess> {
  const out = new Map<number, SeenProcess>();
  for (const e of eventsOf(events, 'process:seen')) if (!out.has(e.pid)) out.set(e.pid, { pid: e.pid, ppid: e.ppid, pgid: e.pgid, sid: e.sid, cmd: e.cmd });
  // A fork seen before its exec: the command it ran afterwards is the one to name it by.
  for (const e of eventsOf(events, 'process:exec')) {
    const p = out.get(e.pid);
    if (p) p.cmd = e.cmd;
  }
  const leader = firstOf(events, 'target:spawned');
  const seen = leader && out.get(leader.pid);
  if (leader && seen) out.set(leader.pid, { ...seen, cmd: [leader.command, ...leader.args].join(' ') });
  return out;
}

// A command line for people: paths cut to their last part (`/usr/bin/node /a/b/app.mjs` ->
// `node app.mjs`), at most about 60 characters, cut between words (see cutWords).
export function briefCmd(cmd: string): string {
  return cutWords(cmd.trim().split(/\s+/).map((w) => (w.includes('/') && !w.endsWith('/') ? w.split('/').at(-1)! : w)).join(' '), 60);
}

// Text of at most `max` characters, cut only between words (then ending in `…`): a word is kept
// whole or left out, so a secret in it is never shown in part, where redaction could not match it.
export function cutWords(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const word of text.split(' ')) {
    if (out.length + word.length + 2 > max) break;
    out += (out ? ' ' : '') + word;
  }
  return `${out}…`;
}

const name = (p: SeenProcess | undefined, pid: number): string => (p ? `\`${briefCmd(p.cmd)}\` (pid ${pid})` : `pid ${pid}`);

// Who put an orphan where, in words, from the history alone: `in the target's process group`, or
// which process made the group or session it is in (itself, its parent the app, a wrapper such as
// tini/npm/sh, setsid), so a report never says "escaped" when an init put it there.
export function placementText(orphan: Pick<OrphanFoundEvent, 'pid' | 'pgid' | 'sid'>, events: readonly HistoryEvent[]): string {
  const leader = firstOf(events, 'target:spawned');
  const seen = seenProcesses(events);
  const leaderSid = leader ? seen.get(leader.pid)?.sid : undefined;
  const parentPid = seen.get(orphan.pid)?.ppid;
  const parent = parentPid === undefined ? undefined : seen.get(parentPid);
  const parentText = parentPid === undefined ? 'its parent' : `its parent ${name(parent, parentPid)}`;
  const parentRole = parent ? (INITS.has(programOf(parent.cmd)) ? ', an init' : isWrapper(parent.cmd) ? ', a wrapper' : ', the app') : '';
  if (leader && orphan.pgid === leader.pgid) return "in the target's process group";
  // A session of its own: setsid() by the process itself, by the `setsid` command, or by an init
  // (dumb-init) for its child, before the exec; the tracker cannot tell these apart, so all are named.
  if (leaderSid !== undefined && orphan.sid !== leaderSid) {
    if (orphan.sid === orphan.pid) {
      return parent && INITS.has(programOf(parent.cmd))
        ? `in a session of its own, made by ${parentText}${parentRole} (setsid for its child)`
        : `in a session of its own (setsid: by itself, by the \`setsid\` command, or by ${parentText}${parentRole} before the exec)`;
    }
    return `in the session of ${name(seen.get(orphan.sid), orphan.sid)}, which called setsid`;
  }
  if (orphan.pgid === orphan.pid) {
    return parent && INITS.has(programOf(parent.cmd))
      ? `in a process group of its own, made by ${parentText}${parentRole} (it gives its child a group of its own)`
      : `in a process group of its own (setpgid: by itself or by ${parentText}${parentRole})`;
  }
  // Another process's group: say who made that one (an init makes one for its child).
  const lead = seen.get(orphan.pgid);
  const leadParent = lead ? seen.get(lead.ppid) : undefined;
  if (lead && leadParent && INITS.has(programOf(leadParent.cmd))) {
    return `in the process group that ${name(leadParent, leadParent.pid)}, an init, made for its child ${name(lead, lead.pid)}`;
  }
  return `in the process group of ${name(lead, orphan.pgid)}`;
}
