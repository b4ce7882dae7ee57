import type { Reporter } from '../reporter.js';

// What a reporter is made with: where it runs and writes.
export interface ReporterContext {
  // The working dir (a reporter's FILE option is resolved against it).
  cwd: string;
  // Where console reporters print.
  stdout: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  // The heartbeat period of console reporters without a terminal (report/progress.ts heartbeatMs).
  heartbeatMs?: number;
}

// One entry of the reporter list (reporters/index.ts): `--reporter NAME[=VALUE]` makes it.
export interface ReporterDefinition {
  name: string;
  // `console` reporters print the live run; `file` reporters write at the end of the suite.
  kind: 'console' | 'file';
  // One line for --help.
  summary: string;
  // On when no --reporter flag is given (the config's `reporters` toggles may turn it off).
  byDefault: boolean;
  // The value after `=` when the reporter takes one (`FILE`), and what it does.
  option?: { value: string; summary: string };
  // The reporter; `option` is the value after `=` (given only when `option` is declared).
  create(context: ReporterContext, option: string | undefined): Reporter;
}

// A reporter definition, type-checked (one per file under report/reporters/).
export function defineReporter(definition: ReporterDefinition): ReporterDefinition {
  return definition;
}
