import { spawnSync } from 'node:child_process';
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
  return `${m.cpus} × ${m.cpuModel}, ${m.memGB} GB RAM, ${m.os}, Node ${m.node}, ${load}, ${m.processes} processes (one /proc stat scan ${m.procStatScanMs} ms, with environ/marker reads ${m.procMarkerScanMs} ms)`;
}
