// The CLI's exit codes: a public contract (see README "Exit codes"). Do not renumber.
export const ExitCode = {
  // Every run passed (skipped runs do not fail a suite).
  passed: 0,
  // A check failed, a run errored, or `compare` found a regression.
  failed: 1,
  // Bad usage or an invalid scenario; every problem is listed.
  usage: 2,
  // The harness itself failed.
  internal: 3,
  // The harness got SIGINT: targets ended, results marked `interrupted`.
  sigint: 130,
  // The harness got SIGTERM: targets ended, results marked `interrupted`.
  sigterm: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
