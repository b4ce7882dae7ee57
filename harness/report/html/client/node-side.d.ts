// The Node-side modules the client takes types from (results, timeline, compare) also hold code
// that runs in Node; they are type-checked here with only these declarations, so the client
// itself sees nothing else of Node (no `Buffer`, `require`, `process.env`, no module's API).
declare module 'node:fs';
declare module 'node:path';
declare var process: { hrtime: { bigint(): bigint } };
