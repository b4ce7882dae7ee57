// Every check name (CONTRACTS.md "Check names", plus `inspect`): what `expect.fails` may list.
// test/core/known-failures.test.ts asserts it equals the registry's names (check/index.ts
// checkNames). A list of its own because the schema cannot import the registry: the checks' types
// are built on RunSpec, so RunSpec built on the registry would be a type cycle.
export const CHECK_NAMES = [
  'exit-status', 'time-to-exit', 'no-escalation', 'no-orphans', 'no-zombies', 'files-absent', 'files-intact',
  'log-present', 'log-absent', 'log-order', 'still-running', 'inspect',
  'drain', 'new-work-rejected', 'no-reset', 'readiness-flip', 'ws-close-codes', 'ws-goodbye', 'error-rate',
] as const;

export type CheckName = (typeof CHECK_NAMES)[number];
