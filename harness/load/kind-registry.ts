import type { z } from 'zod';

// The load kinds by name, for the types that name a kind or take its spec (LoadDriver.kind, the
// worker's input, each engine's spec). Each kind file (load/kinds/<kind>.ts) adds itself here with
// `declare module '../kind-registry.js' { interface LoadKindRegistry { <kind>: typeof <kind> } }`,
// so an engine gets its spec type from here without importing its kind file (which lazy-imports
// the engine: that would be a cycle). load/kinds.ts asserts at compile time that this registry and
// the list name the same kinds.
export interface LoadKindRegistry {}

// A registered kind's name: `http`, `ws`, ...
export type LoadKindName = keyof LoadKindRegistry & string;

// The spec of a kind (the object under its key, defaults filled in), as its schema outputs it.
export type LoadKindSpec<K extends LoadKindName> = LoadKindRegistry[K] extends { schema(kit: never): infer S extends z.ZodType } ? z.output<S> : never;

// The kinds whose engine runs in a load worker (worker-host.ts).
export type WorkerKindName = { [K in LoadKindName]: LoadKindRegistry[K] extends { thread: 'worker' } ? K : never }[LoadKindName];

// One `load` entry of a resolved spec: `{ <kind>: spec }` (the same type as scenario/schema.ts LoadSpec).
export type LoadEntry = { [K in LoadKindName]: { [P in K]: LoadKindSpec<K> } }[LoadKindName];
