// An oracle independent of the harness: which processes still carry a test's marker variable.
// Each test starts the CLI with its own `DRILL_TEST_MARK=<random>`; every process the harness
// starts inherits it (targets, their children, setsid escapees, the reaper), so a scan of
// /proc/*/environ finds whatever survived, whatever the harness itself believes. Zombies count as
// dead (they hold no resources but a pid and cannot be killed any further).
import crypto from 'node:crypto';
import fs from 'node:fs';

// The name of the variable the oracle looks for.
export const MARK_ENV = 'DRILL_TEST_MARK';

// A fresh, unique marker value for one test.
export function newMark(label = 'mark'): string {
  return `${label}-${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
}

// The environment to start the CLI with so that everything it starts carries `mark`.
export function markedEnv(mark: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra, [MARK_ENV]: mark };
}

function stateOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

function carries(pid: number, needle: Buffer): boolean {
  let env: Buffer;
  try {
    env = fs.readFileSync(`/proc/${pid}/environ`);
  } catch {
    return false;
  }
  // Each entry is NUL-terminated: match the whole `NAME=value` entry.
  let from = 0;
  while (from < env.length) {
    let end = env.indexOf(0, from);
    if (end < 0) end = env.length;
    if (end - from === needle.length && env.compare(needle, 0, needle.length, from, end) === 0) return true;
    from = end + 1;
  }
  return false;
}

// True when one of the process's argv elements is exactly `mark`: hostile fixtures drop their
// environment on purpose and keep the mark in their argv instead (test/fixtures/hostile/).
function argvHas(pid: number, mark: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(mark);
  } catch {
    return false;
  }
}

// Pids of live (non-zombie) processes whose environment holds DRILL_TEST_MARK=<mark>, or whose argv
// holds `mark` itself; never this test process itself.
export function findSurvivors(mark: string): number[] {
  const needle = Buffer.from(`${MARK_ENV}=${mark}`);
  const out: number[] = [];
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    if (!carries(pid, needle) && !argvHas(pid, mark)) continue;
    const state = stateOf(pid);
    if (state === undefined || state === 'Z' || state === 'X') continue;
    out.push(pid);
  }
  return out;
}

// The command line of a process (for messages), or '' when it is gone.
export function cmdlineOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

// Survivors with their command lines, for assertion messages.
export function describeSurvivors(mark: string): string[] {
  return findSurvivors(mark).map((pid) => `${pid} ${cmdlineOf(pid)}`);
}

// SIGKILLs every process carrying the mark until none is left (at most ~2 s); returns the pids it
// had to kill. For t.teardown: a test that failed half-way must still leave nothing behind.
export function killSurvivors(mark: string): number[] {
  const killed = new Set<number>();
  const deadline = performance.now() + 2_000;
  for (;;) {
    const found = findSurvivors(mark);
    if (found.length === 0) break;
    for (const pid of found) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {
        // gone meanwhile
      }
    }
    if (performance.now() > deadline) break;
    const until = performance.now() + 5;
    while (performance.now() < until) {
      // a short busy wait: this helper is synchronous so that it works in any teardown
    }
  }
  return [...killed];
}

// Resolves with the ms it took until no process carries the mark, or rejects after `timeoutMs`
// naming the survivors. Polls every `everyMs`.
export async function waitNoSurvivors(mark: string, timeoutMs: number, everyMs = 10): Promise<number> {
  const start = performance.now();
  for (;;) {
    const found = findSurvivors(mark);
    const elapsed = performance.now() - start;
    if (found.length === 0) return elapsed;
    if (elapsed > timeoutMs) throw new Error(`processes still carry ${MARK_ENV}=${mark} after ${Math.round(elapsed)} ms: ${describeSurvivors(mark).join('; ')}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
