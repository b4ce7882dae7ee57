import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { stopStriker, strikeThreadRaised } from './inject/striker.js';
import { findChromium } from './load/browser-find.js';
import { toolInfo } from './report/results.js';
import { chooseContainment } from './target/containment.js';
import { findExecutable } from './target/executable.js';
import { pid1Unavailable } from './target/pid1.js';

// One line of `shutdown-drill doctor`: what was looked at, whether it is fine, and the fix.
export interface DoctorItem {
  name: string;
  ok: boolean;
  found: string;
  // What to do when it is not fine (and what is lost meanwhile).
  fix?: string;
  // A missing item that only some scenarios need (a browser, tini) does not fail the doctor.
  optional?: boolean;
}

function onPath(command: string): boolean {
  return findExecutable(command, process.cwd(), process.env['PATH'] ?? '');
}

// Everything shutdown-drill needs from this machine, each checked for real. Never throws.
export async function diagnose(): Promise<DoctorItem[]> {
  const items: DoctorItem[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  items.push({ name: 'node', ok: major >= 20, found: process.version, ...(major >= 20 ? {} : { fix: 'install Node.js 20 or later' }) });
  const cores = os.cpus().length;
  items.push({ name: 'cores', ok: cores >= 2, found: String(cores), ...(cores >= 2 ? {} : { fix: 'one core: the load, the harness and the target share it, so strikes land late; give the job 2 or more', optional: true }) });
  try {
    const c = chooseContainment();
    const kernel = c.level !== 'marker';
    items.push({ name: 'containment', ok: kernel, optional: true, found: `${c.level}${c.downgrade.length ? ` (${c.downgrade.join('; ')})` : ''}`,
      ...(kernel ? {} : { fix: 'run as root on Linux (or with a delegated cgroup) for a cgroup per run; meanwhile a process that leaves its group and drops SHUTDOWN_DRILL_RUN escapes no-orphans' }) });
    await c.dispose();
  } catch (error) {
    items.push({ name: 'containment', ok: false, found: (error as Error).message, fix: 'unset SHUTDOWN_DRILL_CONTAINMENT or set it to a level this machine has' });
  }
  // The strike thread, started as a suite starts it: what it got decides how close to their
  // moment strikes land when the load fills the CPUs.
  const raised = await strikeThreadRaised();
  await stopStriker();
  const fifo = raised?.scheduling === 'SCHED_FIFO 1';
  items.push({ name: 'strike thread', ok: fifo, optional: true, found: raised ? raised.scheduling : 'did not start',
    ...(fifo ? {} : { fix: `${raised?.why ?? 'the strike thread did not start (worker threads)'}; at ${raised?.scheduling ?? 'normal'} priority strikes under full load can land a few ms late (measured on 2 CPUs: 2.7-4.1 ms at p99 at nice -15, 0.3 ms at SCHED_FIFO)` }) });
  const noPid1 = pid1Unavailable();
  items.push({ name: 'pid namespaces (target.pid1)', ok: !noPid1, found: noPid1 ?? 'yes', optional: true, ...(noPid1 ? { fix: `${noPid1}; until then runs with target.pid1 are skipped` } : {}) });
  let playwrightPath: string | undefined;
  try {
    const { chromium } = await import('playwright-core');
    playwrightPath = chromium.executablePath();
  } catch {
    playwrightPath = undefined;
  }
  try {
    const b = findChromium(playwrightPath);
    items.push({ name: 'browser (load: browser)', ok: true, found: `${b.path} (${b.source})`, optional: true });
  } catch (error) {
    items.push({ name: 'browser (load: browser)', ok: false, found: 'none', optional: true, fix: (error as Error).message.replace(/^load browser: /, '') });
  }
  const python = onPath('python3');
  items.push({ name: 'python3', ok: python, found: python ? 'on PATH' : 'none', optional: true, ...(python ? {} : { fix: 'install python3 (apt-get install python3): {python} targets and target.pid1 need it' }) });
  for (const init of ['tini', 'dumb-init']) {
    const has = onPath(init);
    items.push({ name: `${init} (target.init)`, ok: has, found: has ? 'on PATH' : 'none', optional: true, ...(has ? {} : { fix: `apt-get install ${init}, for scenarios with init: ${init}` }) });
  }
  const nofile = spawnSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const limit = Number(String(nofile.stdout).trim());
  const enough = Number.isFinite(limit) ? limit >= 4096 : String(nofile.stdout).trim() === 'unlimited';
  items.push({ name: 'open-file limit', ok: enough, found: String(nofile.stdout).trim() || 'unknown', optional: true,
    ...(enough ? {} : { fix: 'ulimit -n 65536 before the run: thousands of WebSocket or HTTP clients need a descriptor each' }) });
  return items;
}

// The doctor's report as text, and whether every required item is fine.
export function formatDoctor(items: DoctorItem[]): { text: string; ok: boolean } {
  const width = Math.max(...items.map((i) => i.name.length));
  const lines = [`${toolInfo().name} ${toolInfo().version} on ${os.platform()} ${os.release()} (${os.arch()})`];
  for (const i of items) {
    lines.push(`${i.ok ? 'ok  ' : i.optional ? 'warn' : 'FAIL'}  ${i.name.padEnd(width)}  ${i.found}`);
    if (!i.ok && i.fix) lines.push(`      ${' '.repeat(width)}  fix: ${i.fix}`);
  }
  const ok = items.every((i) => i.ok || i.optional);
  lines.push(ok ? 'ready to run' : 'not ready: fix the FAIL lines above');
  return { text: `${lines.join('\n')}\n`, ok };
}
