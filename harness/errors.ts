// Errors with a stable `code` that tests and reports match on; the message says what to fix.

export type HarnessErrorCode =
  | 'USAGE'
  | 'SCENARIO_INVALID'
  | 'SCENARIO_NOT_FOUND'
  | 'SCENARIO_LOAD_FAILED'
  | 'OUT_DIR_UNWRITABLE'
  // --out is a folder the harness must not empty (/, home, cwd, an ancestor, someone else's folder).
  | 'OUT_DIR_UNSAFE'
  // Another live harness is writing into the same --out.
  | 'OUT_DIR_LOCKED'
  | 'TARGET_SPAWN_FAILED'
  | 'TARGET_NOT_READY'
  | 'TARGET_EXITED_EARLY'
  | 'PORT_UNAVAILABLE'
  | 'TRIGGER_TIMEOUT'
  | 'LOAD_FAILED'
  // A load worker died before sealing its history segment: the load's record is incomplete.
  | 'LOAD_RECORD_INCOMPLETE'
  | 'RUN_TIMEOUT'
  | 'INTERRUPTED'
  | 'RESULTS_INVALID'
  // A gate that fails closed (merge with a lost shard, ...): exit 1, the message says what is missing.
  | 'GATE_FAILED'
  // Writing a history or a report failed (ENOSPC, EACCES, EROFS, ...): what was known is kept.
  | 'OUTPUT_WRITE_FAILED'
  // A run step's teardown threw: what it was to undo (a process, a temp dir) may be left behind.
  | 'TEARDOWN_FAILED'
  | 'INTERNAL';

// A failure the harness understands; `problems` lists every item when there are several.
export class HarnessError extends Error {
  readonly code: HarnessErrorCode;
  readonly problems: string[];

  constructor(code: HarnessErrorCode, message: string, options: { cause?: unknown; problems?: string[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HarnessError';
    this.code = code;
    this.problems = options.problems ?? [];
  }
}

// True for a HarnessError with the given code.
export function isHarnessError(error: unknown, code?: HarnessErrorCode): error is HarnessError {
  return error instanceof HarnessError && (code === undefined || error.code === code);
}

// The message of any thrown value, for logs and reports.
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
