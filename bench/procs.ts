import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { findMarked, killTree, MARKER_ENV } from '../harness/target/tree.js';
import { formatIdentity, selfIdentity } from '../harness/target/identity.js';

// Every process the bench starts carries a marker under this session prefix (the harness's own
// runs get `<prefix><index>.<attempt>/`, the bench's helpers `<prefix><tag>.<n>/`), so one /proc
// sweep finds whatever is left, even a setsid escapee.
export const SESSION = `${formatIdentity(selfIdentity())}:bench:`;

let seq = 0;
const live = new Map<ChildProcess, string>();

// A fresh marker under the bench session.
export function newMarker(tag: string): string {
  return `${SESSION}${tag}.${++seq}/`;
}

export interface Tracked {
  child: ChildProcess;
  pid: number;
  marker: string;
  // Resolves when the child has exited (never rejects).
  exited: Promise<{ code: number | null; signal: string | null }>;
  // Resolves when the child's stdio streams are closed too.
  closed: Promise<void>;
  // Stdout split in lines (kept whole: helpers print little), and the stderr tail.
  output: { lines: string[]; cursor: number; stderr: string; listeners: Set<() => boolean> };
}

// Spawns a helper in its own process group with a bench marker in its environment; endAll() ends
// it and everything it started. Throws when the command cannot be spawned.
export async function spawnTracked(command: string, args: string[], options: { tag: string; stdio?: StdioOptions; env?: Record<string, string>; cwd?: string }): Promise<Tracked> {
  const marker = newMarker(options.tag);
  const child = spawn(command, args, {
    detached: true,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env, [MARKER_ENV]: marker },
  });
  live.set(child, marker);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const output: Tracked['output'] = { lines: [], cursor: 0, stderr: '', listeners: new Set() };
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    partial += d.toString();
    const parts = partial.split('\n');
    partial = parts.pop()!;
    if (parts.length === 0) return;
    output.lines.push(...parts);
    for (const l of [...output.listeners]) l();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output.stderr = (output.stderr + d.toString()).slice(-4_000);
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => {
      live.delete(child);
      reject(new Error(`bench: cannot start \`${command} ${args.join(' ')}\`: ${error.message}`));
    });
  });
  return { child, pid: child.pid!, marker, exited, closed, output };
}

// Resolves with the next line of the child's stdout (after the last one matched) that matches
// `re`; rejects when the child exits first or after `timeoutMs`, with its stderr tail.
export function waitLine(t: Tracked, re: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const look = (): boolean => {
      while (t.output.cursor < t.output.lines.length) {
        const line = t.output.lines[t.output.cursor++]!;
        if (re.test(line)) {
          done();
          resolve(line);
          return true;
        }
      }
      return false;
    };
    const done = (): void => {
      clearTimeout(timer);
      t.output.listeners.delete(look);
    };
    const why = (): string => (t.output.stderr.trim() ? `; stderr: ${t.output.stderr.trim().slice(-1_000)}` : '');
    const timer = setTimeout(() => {
      done();
      reject(new Error(`bench: no line matching ${re} from pid ${t.pid} within ${timeoutMs} ms${why()}`));
    }, timeoutMs);
    if (look()) return;
    t.output.listeners.add(look);
    void t.exited.then((e) => {
      // Lines still buffered in the pipe come before the exit is final.
      setTimeout(() => {
        if (!t.output.listeners.has(look) || look()) return;
        done();
        reject(new Error(`bench: pid ${t.pid} exited (${e.signal ?? `code ${e.code}`}) before printing a line matching ${re}${why()}`));
      }, 50);
    });
  });
}

// Waits for the child to exit and returns its stdout lines, stderr tail and exit status.
export async function collectStdout(t: Tracked): Promise<{ lines: string[]; stderr: string; code: number | null; signal: string | null }> {
  const e = await t.exited;
  await Promise.race([t.closed, new Promise((r) => setTimeout(r, 1_000))]);
  return { lines: t.output.lines, stderr: t.output.stderr, ...e };
}

// Ends one helper and its whole tree (group, descendants, marker); resolves when they are gone.
export async function endTracked(t: Tracked): Promise<void> {
  await killTree(t.pid, { pgid: t.pid, marker: t.marker });
  await Promise.race([t.exited, new Promise((r) => setTimeout(r, 1_000))]);
}

// Ends everything the bench started: every live helper's tree, then every process still carrying
// the session marker (several passes, a process may fork meanwhile). Returns the pids that
// survived (normally none). Never rejects.
export async function endAll(): Promise<number[]> {
  for (const [child, marker] of [...live]) {
    if (child.pid) await killTree(child.pid, { pgid: child.pid, marker }).catch(() => undefined);
  }
  let left: number[] = [];
  for (let pass = 0; pass < 10; pass++) {
    left = findMarked(SESSION).map((p) => p.pid);
    if (left.length === 0) break;
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return left;
}
