// What a check gives: the results.json shape of one verdict (see CONTRACTS.md). Imports nothing, so
// the report's browser scripts (report/html/client/) type their data from here without the schema.
export type CheckStatus = 'pass' | 'fail' | 'error';

// A run's verdict in results.json (see CONTRACTS.md): `skipped` when the run was never executed.
export type RunVerdict = 'pass' | 'fail' | 'error' | 'skipped';

// One verdict of one check. `passed` is true only for `pass`; `error` means the history holds no
// evidence either way (the load never connected, the target never got the signal, ...).
export interface CheckResult {
  name: string;
  passed: boolean;
  status: CheckStatus;
  expected: unknown;
  actual: unknown;
  message: string;
  // Items behind a failure (failed requests with their offset from the signal, survivors, ...).
  details?: unknown[];
}
