import type { LoadKind } from './kind.js';
import type { LoadEntry, LoadKindName, LoadKindRegistry } from './kind-registry.js';
import { browser } from './kinds/browser.js';
import { http } from './kinds/http.js';
import { probe } from './kinds/probe.js';
import { tcp } from './kinds/tcp.js';
import { ws } from './kinds/ws.js';

// The load kinds, one line each, in the order the schema (and its JSON Schema, the README
// reference) lists them. A new kind is its own file in load/kinds/ plus one line here: the
// scenario schema's load union (scenario/schema.ts), the default driver names (name.ts), the
// worker dispatch (worker-entry.ts), createLoadDriver (index.ts) and the kind unions derive from it.
export const loadKinds = [
  http,
  ws,
  tcp,
  browser,
  probe,
] as const;

// Compile-time: the list and the kind files' registry entries (kind-registry.ts) name the same
// kinds, each registered under its own name (a kind file left out of the list does not compile;
// test/load/registry.test.ts checks that none is listed twice).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type OwnNames = { [K in LoadKindName]: Same<LoadKindRegistry[K]['kind'], K> }[LoadKindName];
const listedAreRegistered: Same<(typeof loadKinds)[number]['kind'], LoadKindName> = true;
const registeredUnderOwnNames: Same<OwnNames, true> = true;
void listedAreRegistered;
void registeredUnderOwnNames;

// Every kind's name, in list order.
export const loadKindNames: readonly LoadKindName[] = loadKinds.map((k) => k.kind);

// The kind of a load entry (the kind whose key it has), or undefined for an entry of no listed kind.
export function loadKindOf(entry: object): LoadKind | undefined {
  return (loadKinds as readonly LoadKind[]).find((k) => Object.hasOwn(entry, k.kind));
}

// The kind's spec inside a load entry (`entry[kind]`).
export function kindSpec(entry: LoadEntry, kind: LoadKind): unknown {
  return (entry as Record<string, unknown>)[kind.kind];
}

// How many clients a load entry connects (ws clients, browser pages; 0 for a kind without clients):
// what a `wsAllConnected` trigger waits for.
export function loadClients(entry: LoadEntry): number {
  const kind = loadKindOf(entry);
  return kind?.clients ? kind.clients(kindSpec(entry, kind) as never) : 0;
}
