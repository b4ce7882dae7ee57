import path from 'node:path';
import { Clock } from '../../clock.js';
import { HarnessError } from '../../errors.js';
import { History } from '../../history/writer.js';
import type { executeStrike } from '../../inject/strike.js';
import type { Fired } from '../../inject/triggers.js';
import type { RejectionProbe } from '../../load/rejection-probe.js';
import type { LoadDriver } from '../../load/types.js';
import type { FileObserver } from '../../observe/files.js';
import type { LiveLoad, RunPhase } from '../../report/progress.js';
import type { RunSpec } from '../../scenario/schema.js';
import type { Container, Containment } from '../../target/containment.js';
import type { Launched } from '../../target/launch.js';
import type { CapturedLine } from '../../target/lines.js';
import type { Settled } from '../../target/settle.js';
import type { ProcessTracker } from '../../target/tree.js';
import type { ZombieWatch } from '../../target/zombies.js';
import type { Vars } from '../placeholders.js';
import type { RunPlan } from '../plan.js';

export const HOST = '127.0.0.1';
// How many times a run is attempted when its target could not bind the port it was given.
export const PORT_RETRIES = 3;

export interface RunOptions {
  outDir: string;
  // `<harnessPid>:<session>:` — the run's marker is this plus `<runIndex>/`.
  sessionMarker: string;
  // Holds every process the run starts (a kernel container per target, service and inspect).
  containment: Containment;
  index: number;
  // Aborted when the harness is interrupted: the run ends its target (grace, then SIGKILL).
  signal: AbortSignal;
  // Aborted on a second interrupt: kill everything at once.
  force: AbortSignal;
  // How long an interrupted target gets between SIGTERM and SIGKILL.
  interruptGraceMs?: number;
  // Told when the run moves to another phase (report/progress.ts), read off its history.
  // `live` reads the run's load counters (load/counters.ts) when called.
  onPhase?: (phase: RunPhase, live: () => LiveLoad | undefined) => void;
  // The retry (--retries) this execution is: 0 for the first. A retry gets its own run folder
  // (`<run>~retry<N>`) and process markers, so the earlier attempt's history is kept.
  retry?: number;
}

// What one attempt of a run ended with.
export interface AttemptOutcome {
  history: History;
  // The spec with its placeholders filled in (once the run got that far).
  spec?: RunSpec;
  error?: unknown;
  skipped?: string;
  portClash: boolean;
}

// What the steps of one attempt share. A field is set by the step named beside it; a later step
// reads it (steps run in order, and a step runs only when every earlier one succeeded).
export class RunContext {
  readonly clock = new Clock();
  readonly history: History;
  readonly now = (): number => this.clock.now();
  // The run's own abort, linked to the harness's interruption by the `interrupt` step.
  readonly abort = new AbortController();
  readonly onInterrupt = (): void => this.abort.abort();
  // `<index>.<port attempt>`, `<index>r<retry>.<port attempt>` for a retry: unique in the session.
  readonly slot: string;
  readonly marker: string;
  // One container per process tree the run starts; all are killed (verified) and removed at the end.
  readonly containers: Container[] = [];
  readonly outcome: AttemptOutcome;
  // Set by `prepare`.
  tmp: string | undefined;
  spec!: RunSpec;
  vars!: Vars;
  port: number | undefined;
  deadline: number | undefined;
  // Set by `services`: each service's container and launch.
  readonly services: Array<{ container: Container; launching: Promise<Launched> }> = [];
  // Set by `target`.
  cwd!: string;
  filesDir!: string;
  container!: Container;
  target: Launched | undefined;
  launching: Promise<Launched> | undefined;
  zombies: ZombieWatch | undefined;
  // Lines seen so far (bounded), for log readiness and for log triggers armed after the line.
  readonly seenLines: Array<{ stream: 'stdout' | 'stderr'; line: CapturedLine }> = [];
  readonly lineListeners = new Set<(stream: 'stdout' | 'stderr', line: CapturedLine) => void>();
  // True once the harness itself ends the target (the exit event says `byHarness`).
  harnessStopping = false;
  // Set by `tracker` and `observer`; the tracker keeps clear of each planned signal time.
  tracker!: ProcessTracker;
  readonly planned: number[] = [];
  observer!: FileObserver;
  // Set by `ready`, `load`, `trigger`, `strike`.
  readyT!: number;
  readonly drivers: LoadDriver[] = [];
  fired: Fired | undefined;
  struck: ReturnType<typeof executeStrike> | undefined;
  prober: RejectionProbe | undefined;
  // Cancels the strike's escalation when the harness itself ends the target (still-running).
  strikeAbort: AbortController | undefined;
  readonly stopStrike = (): void => this.strikeAbort?.abort();
  // Set by `tree`: what became of the tree after the leader's exit.
  settled: Settled | undefined;

  constructor(readonly plan: RunPlan, readonly options: RunOptions, readonly runDir: string, readonly attempt: number) {
    this.history = new History({ clock: this.clock, file: path.join(runDir, 'events.jsonl') });
    this.slot = `${options.index}${options.retry ? `r${options.retry}` : ''}.${attempt}`;
    this.marker = `${options.sessionMarker}${this.slot}/`;
    this.outcome = { history: this.history, portClash: false };
  }

  // A new container for one process tree of the run (`r<slot>-<name>`), removed at its end.
  newContainer(name: string): Container {
    const c = this.options.containment.create(`r${this.slot}-${name}`);
    this.containers.push(c);
    return c;
  }

  // The launched target, for the steps after `target`.
  get launched(): Launched {
    if (!this.target) throw new HarnessError('INTERNAL', 'a step needs the target before the `target` step launched it');
    return this.target;
  }
}

// Resolves after `ms` or as soon as `signal` aborts; the timer never holds the process open.
export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    timer.unref();
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
