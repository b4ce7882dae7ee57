import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { listProcs } from '../harness/target/proc.js';
import { findMarked } from '../harness/target/tree.js';
import { summarize } from './stats.js';
import { fdLimits } from './ws-clients.js';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memGB: number;
  os: string;
  node: string;
  bash: string;
  cc: string | null;
  openFiles: { soft: number | string; hard: number | string } | null;
  // Processes on the machine and the cost of one /proc pass (what every tree scan pays).
  processes: number;
  procStatScanMs: number;
  procMarkerScanMs: number;
  // 1-minute load average at the start and the end of the bench (other work on the machine
  // skews every figure: compare runs made on a quiet machine).
  loadAvgStart: number;
  loadAvgEnd?: number;
  // Share of the CPUs' time the hypervisor gave to other guests while the bench ran (steal, from
  // /proc/stat), in %: this VM's threads were ready to run and did not. Absent where /proc/stat
  // has no steal column (not Linux).
  stealPct?: number;
  // The scheduling the OS granted the harness's strike thread (and the bare timer beside it):
  // `SCHED_FIFO 1`, else `nice -15` or `normal` with the reason (harness/inject/thread-priority.ts).
  strikeThread?: string;
}

// The machine's CPU time so far, in clock ticks (/proc/stat's `cpu` line): all of it, and the
// steal part. Undefined where /proc/stat cannot be read.
export interface CpuTimes { total: number; steal: number }
export function cpuTimes(statText?: string): CpuTimes | undefined {
  let text = statText;
  if (text === undefined) {
    try {
      text = fs.readFileSync('/proc/stat', 'utf8');
    } catch {
      return undefined;
    }
  }
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  // user nice system idle iowait irq softirq steal (guest and guest_nice are counted in user).
  const fields = line?.trim().split(/\s+/).slice(1, 9).map(Number);
  if (!fields || fields.length < 8 || fields.some((n) => !Number.isFinite(n))) return undefined;
  return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7]! };
}

// Steal between two readings, in % of the CPU time that passed (one decimal); undefined when
// either reading is missing or no time passed.
export function stealPct(from: CpuTimes | undefined, to: CpuTimes | undefined): number | undefined {
  if (!from || !to || to.total <= from.total) return undefined;
  return Math.round(((to.steal - from.steal) / (to.total - from.total)) * 1000) / 10;
}

const finite = (v: number): number | string => (Number.isFinite(v) ? v : 'unlimited');

// The machine the figures come from, with the /proc scan costs measured here (median of 20).
export function machineInfo(cc: string | null): Machine {
  const bash = spawnSync('bash', ['-c', 'echo $BASH_VERSION'], { encoding: 'utf8' });
  // The two scans interleaved, 20 times each, so a burst of other work skews both alike.
  const stat: number[] = [];
  const marker: number[] = [];
  for (let i = 0; i < 20; i++) {
    let t0 = performance.now();
    listProcs();
    stat.push(performance.now() - t0);
    t0 = performance.now();
    findMarked('no-such-marker:');
    marker.push(performance.now() - t0);
  }
  const limits = fdLimits();
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memGB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    bash: bash.status === 0 ? bash.stdout.trim() : 'not found',
    cc,
    openFiles: limits ? { soft: finite(limits.soft), hard: finite(limits.hard) } : null,
    processes: listProcs().length,
    procStatScanMs: summarize(stat).median,
    procMarkerScanMs: summarize(marker).median,
    loadAvgStart: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

// One line for tables: "2 × Intel Xeon, 24 GB, Linux 6.1, Node v20".
export function machineLine(m: Machine): string {
  const load = `load average ${m.loadAvgStart}${m.loadAvgEnd !== undefined ? ` → ${m.loadAvgEnd}` : ''}`;
  const steal = m.stealPct !== undefined ? `, host steal ${m.stealPct} % of CPU time` : '';
  const strike = m.strikeThread !== undefined ? `, strike thread ${m.strikeThread}` : '';
  return `${m.cpus} × ${m.cpuModel}, ${m.memGB} GB RAM, ${m.os}, Node ${m.node}, ${load}${steal}${strike}, ${m.processes} processes (one /proc stat scan ${m.procStatScanMs} ms, with environ/marker reads ${m.procMarkerScanMs} ms)`;
}
