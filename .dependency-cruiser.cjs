// The folder rules of harness/ (written out in harness/README.md), checked by dependency-cruiser in
// `npm test` (test/core/folders.test.ts). Type-only imports count: a type in the wrong room is a leak.
const base = '^harness/(clock|errors|exit-codes|redact|write-error)[.]ts$';
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No import cycle anywhere in harness/ (type-only ones included): a cycle means a type or a helper lives in the wrong file.',
      from: { path: '^harness/' },
      to: { circular: true },
    },
    {
      name: 'base-imports-only-base',
      severity: 'error',
      comment: 'The base (clock.ts, errors.ts, exit-codes.ts, redact.ts, write-error.ts) imports nothing of ours but the base.',
      from: { path: base },
      to: { path: '^harness/', pathNot: base },
    },
    {
      name: 'history-imports-nothing-above',
      severity: 'error',
      comment: 'history/ (the events, the writer, the reader, the queries over a history) imports only history/ and the base.',
      from: { path: '^harness/history/' },
      to: { path: '^harness/', pathNot: [base, '^harness/history/'] },
    },
    {
      name: 'check-and-metrics-are-pure',
      severity: 'error',
      comment: 'check/ and metrics/ judge a history: they import only history/, the scenario types (scenario/schema.ts, scenario/regex.ts, and scenario/fields.ts: the field kit a check builds its expectation fields with), the base and their own folder.',
      from: { path: '^harness/(check|metrics)/' },
      to: {
        path: '^harness/',
        pathNot: [base, '^harness/history/', '^harness/scenario/(schema|regex|fields)[.]ts$', '^harness/$1/'],
      },
    },
    {
      name: 'report-never-imports-run',
      severity: 'error',
      comment: 'report/ reads results and histories; it never imports the run skeleton (run/).',
      from: { path: '^harness/report/' },
      to: { path: '^harness/run/' },
    },
    {
      name: 'imports-resolve',
      severity: 'error',
      comment: 'Every import of harness/ resolves to a file or a package: an unresolved import would escape every rule above.',
      from: { path: '^harness/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
