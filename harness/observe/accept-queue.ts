import fs from 'node:fs';

// Which client connections to a listening port the target's side had accepted, as the kernel tells
// it (/proc/<pid>/net/tcp and tcp6, the target's own network namespace): a connection whose server
// end has no inode is still in the listener's accept queue (or half-open in its SYN queue), never
// accept()ed by the application; one with an inode is an open file of some process, accepted.
// Listed by the client's local port (the remote port of the server's end).
export interface AcceptSnapshot {
  accepted: number[];
  queued: number[];
  error?: string;
}

// TCP states in which a server end without an inode is still waiting to be accepted: ESTABLISHED
// (01), SYN_RECV (03: the client's final ACK was dropped by a full accept queue), CLOSE_WAIT (08:
// the client sent its FIN first). In a closing state the application had accepted and closed it,
// inode or not: FIN_WAIT1/2 (04, 05), TIME_WAIT (06), LAST_ACK (09), CLOSING (0B). CLOSE (07) says
// nothing (the kernel resets the queued ends of a closed listener into it); LISTEN (0A) is the
// listener.
const WAITING_STATES = new Set(['01', '03', '08']);
const CLOSED_BY_APP = new Set(['04', '05', '06', '09', '0B']);

// Reads the kernel's socket tables once, off the calling thread (the kernel walks its whole
// connection hash: measured 4-8 ms per table on a 2-CPU VM with 262144 buckets, whatever the number
// of sockets). Never rejects: an unreadable table is in `error` (checks then use the client's view).
export async function acceptSnapshot(pid: number, port: number): Promise<AcceptSnapshot> {
  const accepted: number[] = [];
  const queued: number[] = [];
  const errors: string[] = [];
  let read = 0;
  const texts = await Promise.all(['tcp', 'tcp6'].map((table) => fs.promises.readFile(`/proc/${pid}/net/${table}`, 'latin1').catch((error: NodeJS.ErrnoException) => {
    errors.push(`${table}: ${error.code ?? error.message}`);
    return undefined;
  })));
  for (const text of texts) {
    if (text === undefined) continue;
    read++;
    parseTable(text, port, accepted, queued);
  }
  return { accepted, queued, ...(read === 0 ? { error: `cannot read /proc/${pid}/net (${errors.join(', ')})` } : {}) };
}

// The same read, on the calling thread (for a thread with nothing else to do: the strike thread,
// well ahead of its signal, where the shared I/O pool may be busy with the run's writes).
export function acceptSnapshotSync(pid: number, port: number): AcceptSnapshot {
  const accepted: number[] = [];
  const queued: number[] = [];
  const errors: string[] = [];
  let read = 0;
  for (const table of ['tcp', 'tcp6']) {
    try {
      parseTable(fs.readFileSync(`/proc/${pid}/net/${table}`, 'latin1'), port, accepted, queued);
      read++;
    } catch (error) {
      errors.push(`${table}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  return { accepted, queued, ...(read === 0 ? { error: `cannot read /proc/${pid}/net (${errors.join(', ')})` } : {}) };
}

// One view from two: `before` (taken shortly before the signal, when there was time) and `after`
// (right after it). Queued = queued before and not accepted after (the server may have taken it
// as the signal came); accepted = either. Without `before`, `after` alone (a server that drops its
// backlog faster than the table is read is then not seen dropping it). Pure.
export function combineSnapshots(before: AcceptSnapshot | undefined, after: AcceptSnapshot): AcceptSnapshot {
  if (!before || before.error !== undefined) return after;
  if (after.error !== undefined) return before;
  const acceptedAfter = new Set(after.accepted);
  const queued = [...new Set([...before.queued, ...after.queued])].filter((p) => !acceptedAfter.has(p));
  return { accepted: [...new Set([...before.accepted, ...after.accepted])], queued };
}

// Adds the server ends on `port` of one /proc/net/tcp table to `accepted` or `queued`. Pure.
export function parseTable(text: string, port: number, accepted: number[], queued: number[]): void {
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = f[1]!;
    const localPort = parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    const state = f[3]!;
    if (localPort !== port || (!WAITING_STATES.has(state) && !CLOSED_BY_APP.has(state))) continue;
    const remote = f[2]!;
    const remotePort = parseInt(remote.slice(remote.lastIndexOf(':') + 1), 16);
    (f[9] === '0' && WAITING_STATES.has(state) ? queued : accepted).push(remotePort);
  }
}
