import { defineScenario, type ExpectInput, type TargetInput } from '../../harness/index.js';

// Seed 001: a todo CLI running a batch of 20 SQLite writes with a sync queue. SIGINT = SIGTERM; no
// new operation after the signal; committed items kept, the current one rolled back, the rest
// queued, never a half-written record (inspect.mjs reads the database after the exit); cleanups
// LIFO; exit 0 when clean, 1 when a cleanup timed out.

const DIR = '{dir}/../../targets/todo';
const todo = (variant: string, extra: string[] = []): TargetInput => ({
  command: '{node}',
  args: [`${DIR}/todo.mjs`, '--db', '{tmp}/todo.db', '--items', '20', '--work-ms', '100', '--variant', variant, ...extra],
  ready: { log: '^ready: batch of 20 items' },
});
// When to strike: as the first item starts, or mid-batch right after item 10 committed (item 11 is
// then in its 100 ms of work).
const moments = { 'first-item': { onLog: '^item 1 started$' }, 'mid-batch': { onLog: '^item 10 committed$' } };
type Moment = keyof typeof moments;

// Whole records only; the committed ones are done in the queue and the rest still queued. Exit 0
// is inspect.mjs's proof that records = whole = done (it exits 1 naming each half-written record or
// queue mismatch); the pattern adds half=0 (patterns are RE2: no backreference to say it again).
const consistent = {
  name: 'database', command: '{node}', args: [`${DIR}/inspect.mjs`, '--db', '{tmp}/todo.db'],
  exitCode: 0, stdoutMatches: '^records=\\d+ whole=\\d+ half=0 done=\\d+ queued=\\d+$',
};
const clean: ExpectInput = {
  exit: { codes: [0] },
  timeToExitMs: { max: 2_000 },
  noEscalation: true,
  logPresent: [{ pattern: '^shutdown: no new operations', afterSignal: true }, { pattern: '^item \\d+ rolled back$', afterSignal: true }],
  logOrder: ['^cleanup: tui$', '^cleanup: sync$', '^cleanup: db$'],
  inspect: [consistent],
};
// With a cleanup that hangs past its 500 ms timeout the exit status must say so.
const timedOut: ExpectInput = {
  exit: { codes: [1] },
  timeToExitMs: { max: 2_000 },
  noEscalation: true,
  logPresent: [{ pattern: '^cleanup: sync timed out after 500 ms', afterSignal: true }],
  logOrder: ['^cleanup: tui$', '^cleanup: sync$', '^cleanup: db$'],
  inspect: [consistent],
};

export default [
  defineScenario({
    name: 'seed/todo/correct',
    matrix: { signal: ['SIGINT', 'SIGTERM'], moment: ['first-item', 'mid-batch'] },
    target: todo('correct'),
    strike: ({ signal, moment }) => ({ at: moments[moment as Moment], signal: signal as 'SIGINT' | 'SIGTERM' }),
    expect: clean,
  }),
  defineScenario({
    name: 'seed/todo/correct',
    matrix: { cleanup: ['hang'] },
    target: todo('correct', ['--cleanup-hang']),
    strike: { at: moments['mid-batch'], signal: 'SIGTERM' },
    expect: timedOut,
  }),
  defineScenario({
    name: 'seed/todo/broken-half-write',
    target: todo('broken-half-write'),
    strike: { at: moments['mid-batch'], signal: 'SIGINT' },
    // Known failures (expect.fails): the checks that catch each broken variant.
    expect: { ...clean, fails: { checks: ['inspect'], reason: 'two autocommitted statements with the work in between: the interrupted item keeps its title without a body' } },
  }),
  defineScenario({
    name: 'seed/todo/broken-fifo-cleanup',
    target: todo('broken-fifo-cleanup'),
    strike: { at: moments['mid-batch'], signal: 'SIGTERM' },
    expect: { ...clean, fails: { checks: ['exit-status', 'log-order'], reason: 'cleanups in registration order: db closes first, so sync fails and the exit is 1' } },
  }),
  defineScenario({
    name: 'seed/todo/broken-exit-zero-on-timeout',
    target: todo('broken-exit-zero-on-timeout', ['--cleanup-hang']),
    strike: { at: moments['mid-batch'], signal: 'SIGTERM' },
    expect: { ...timedOut, fails: { checks: ['exit-status'], reason: 'logs the cleanup timeout but exits 0' } },
  }),
];
