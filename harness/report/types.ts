import type { CheckResult, RunVerdict } from '../check/result.js';
import type { RunMetrics } from '../metrics/types.js';
import type { RunRootCause } from './root-cause.js';
import type { SweepResult } from '../sweep/types.js';

// RunVerdict lives with the checks and RunMetrics with the metrics (the judges import nothing of
// report/); both are part of the results.json contract and re-exported from here.
export type { RunMetrics, RunVerdict };

// results.json: a public contract (see CONTRACTS.md). Extend with new fields; never rename.
export const RESULTS_SCHEMA_VERSION = 1;

// The gate's view of a run (see report/outcome.ts for the rules); the exit code follows it.
export type RunOutcome = 'expected' | 'unexpected' | 'flaky' | 'skipped';

// One attempt of a run retried by --retries (the last one is the run itself).
export interface RunAttempt {
  attempt: number;
  verdict: RunVerdict;
  outcome: RunOutcome;
  // The checks that failed (or had no evidence) in this attempt.
  failedChecks: string[];
  reason?: string;
  history: string | null;
  durationMs?: number;
}
// `running`: written at the suite's start and after every run (finishedAt null); a results.json
// still `running` after the harness is gone was left by a killed harness: it is no verdict.
export type SuiteStatus = 'passed' | 'failed' | 'interrupted' | 'error' | 'running';

// Which suite a shard's results belong to: `suite` hashes the full planned run list (before the
// shard was picked) and the shard count, so `merge` can tell a lost, doubled or foreign shard.
export interface ShardIdentity {
  index: number;
  total: number;
  suite: string;
  // Runs of the whole suite, and of this shard.
  suiteRuns: number;
  runs: number;
}

export interface RunResult {
  id: string;
  scenario: string;
  params: Record<string, unknown>;
  seed: number;
  repeat: number;
  verdict: RunVerdict;
  // Why the run was skipped or errored, when it was.
  reason?: string;
  errorCode?: string;
  checks: CheckResult[];
  metrics: RunMetrics;
  // byHarness: the harness ended the target itself (after a still-running window, a timeout or
  // an interruption), so the code or signal is the harness's, not the target's.
  exit: { code: number | null; signal: string | null; shellCode?: number; byHarness?: boolean } | null;
  // Path of the run's events.jsonl, relative to the out dir.
  history: string | null;
  // The scenario file the run came from (relative to the cwd) and the command that replays it.
  file?: string;
  replay?: string;
  durationMs?: number;
  // When the run started (ISO 8601, wall clock): the JUnit suite timestamps.
  startedAt?: string;
  // Shard bookkeeping (set by `--shard K/N` and `merge`).
  shard?: string;
  // A failing run's root causes (report/root-cause.ts): the headline reporters print first, and
  // which failed checks each cause explains. Presentation only: `checks` and `verdict` are the truth.
  rootCause?: RunRootCause;
  // The gate's view (absent in results written before outcomes existed: see report/outcome.ts outcomeOf).
  outcome?: RunOutcome;
  // Why the outcome is what it is (a known failure caught by which check, "fixed: remove the mark", ...).
  outcomeNote?: string;
  // The run's known-failure mark (`expect.fails`), when it has one.
  fails?: { checks: string[]; reason?: string; link?: string };
  // Every attempt when --retries ran the run more than once (the last is the run's own result).
  attempts?: RunAttempt[];
  // The scenario's tags.
  tags?: string[];
}

export interface ResultsFile {
  schemaVersion: number;
  tool: { name: string; version: string };
  startedAt: string;
  // null while the suite runs (status `running`).
  finishedAt: string | null;
  status: SuiteStatus;
  machine: { cpus: number; node: string; os: string; cpuModel?: string; hostname?: string };
  // The command line and options the suite ran with.
  options?: Record<string, unknown>;
  // How the runs' processes were held (see harness/target/containment.ts): `cgroup-v2`,
  // `cgroup-v1` or `marker` (the weakest: a process that drops the marker can escape).
  containment?: 'cgroup-v2' | 'cgroup-v1' | 'marker';
  // Set by `run --shard K/N`.
  shard?: ShardIdentity;
  // Set by `run` when no run was executed and --pass-with-no-runs allowed it, by `merge` when
  // --allow-missing-shards merged an incomplete suite: what the gate let through.
  gateWaived?: string[];
  runs: RunResult[];
  // Strike-time sweeps (harness/sweep/): their runs are in `runs`, named `<scenario>[strike=+Nms]`.
  sweeps?: SweepResult[];
}
