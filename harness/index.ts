// The public API: scenario authoring and programmatic runs.
export { defineScenario } from './scenario/define.js';
export type { ScenarioInput, TargetInput, ReadyInput, LoadInput, StrikeInput, ExpectInput, LogPatternInput, ServiceInput, TriggerInput, RequiresInput, Params, RunSpec, SweepSpec, SweepAnchor } from './scenario/schema.js';
export type { SuiteConfigInput } from './config/schema.js';
export type { SweepResult, SweepWindow, SweepPoint } from './sweep/types.js';
export type { HistoryEvent, SignalName, Delivery } from './history/events.js';
export type { CheckResult, CheckDefinition } from './check/types.js';
export type { CheckName } from './check/index.js';
export type { ResultsFile, RunResult, RunVerdict } from './report/types.js';
export { judge, verdictOf } from './check/index.js';
export { planSuite, runSuite } from './run/suite.js';
export { Multiplexer } from './report/reporter.js';
export type { Reporter, SuiteBegin, RunBegin, RunEnd, SuiteEnd } from './report/reporter.js';
export { reporters, createReporters, parseReporterFlags } from './report/reporters/index.js';
export type { ReporterDefinition, ReporterContext } from './report/reporters/define.js';
export { readHistory } from './history/reader.js';
export { HarnessError } from './errors.js';
export { ExitCode } from './exit-codes.js';
