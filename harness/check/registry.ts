// The check registry's types, by declaration merging (as load/kind-registry.ts does for the load
// kinds). The schema builds `expect` from the check list (check/index.ts), so neither a check nor
// its types can come from the schema (an import cycle) or from the list's own type (a type cycle):
// - each check file adds its expectation fields under its name:
//   `declare module './registry.js' { interface CheckFieldRegistry { 'my-check': typeof myCheckFields } }`;
//   check/index.ts asserts at compile time that the list and this registry name the same checks;
// - scenario/schema.ts adds the resolved run spec: `interface RunSpecRegistry { runSpec: RunSpec }`.
export interface CheckFieldRegistry {}
export interface RunSpecRegistry {}

// A built-in check's name (results.json `checks[].name`, see CONTRACTS.md).
export type CheckName = keyof CheckFieldRegistry & string;

// Every check's expectation fields, merged: the check part of the schema's `expect`.
type Intersect<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
export type AllCheckFields = { [K in keyof Intersect<CheckFieldRegistry[CheckName]>]: Intersect<CheckFieldRegistry[CheckName]>[K] };

// The resolved run spec a check reads (scenario/schema.ts RunSpec) and its `expect`.
export type RunSpec = RunSpecRegistry extends { runSpec: infer S } ? S : never;
export type ExpectSpec = RunSpec extends { expect: infer E } ? E : never;
