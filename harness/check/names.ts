// Every check name (CONTRACTS.md "Check names", plus `inspect`): what `expect.fails` may list.
// Derived from the registry (check/index.ts allChecks), which the schema builds `expect` from.
export { checkNames as CHECK_NAMES, type CheckName } from './index.js';
