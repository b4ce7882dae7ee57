import { defineScenario, type ExpectInput, type TargetInput } from '../../harness/index.js';

// The signal path: one graceful Node app (it takes 200 ms to finish after SIGTERM/SIGINT) launched
// directly, through `sh -c` and through `npm run`. Whether it shuts down gracefully depends on the
// launcher and on where the signal is delivered: to the leader alone (`process`: docker stop,
// kubectl, kill PID) or to its process group (`group`: Ctrl+C in a terminal). Measured by hand in
// targets/wrapper/README.md.

const APP = '{dir}/../../targets/wrapper/app.mjs';
const ready = { log: '^ready on' };
const launchers: Record<string, TargetInput> = {
  node: { command: '{node}', args: [APP, '--port', '{port}'], ready },
  // The shell replaces itself with node: the app is the leader.
  'sh-exec': { command: 'sh', args: ['-c', `exec {node} ${APP} --port {port}`], ready },
  // A command after node keeps the shell alive as the leader, node its child.
  sh: { command: 'sh', args: ['-c', `{node} ${APP} --port {port}; echo wrapper-done`], ready },
  // npm -> sh -c "node app.mjs ..." -> node.
  npm: { command: 'npm', args: ['run', 'start', '--prefix', '{dir}/../../targets/wrapper', '--', '--port', '{port}'], ready: { ...ready, timeoutMs: 30_000 } },
};
const launcher = (name: unknown): TargetInput => launchers[name as string]!;

// The same expectations everywhere: the app got the signal and finished its shutdown before the
// launcher was gone, in time; the launcher may exit 0 or die of the signal it was sent (130, 143).
const graceful: ExpectInput = {
  exit: { codes: [0, 130, 143] },
  timeToExitMs: { max: 2_000 },
  noEscalation: true,
  logPresent: [{ pattern: '^graceful shutdown complete$', afterSignal: true }],
};
// `docker stop -t 3`: SIGKILL to the whole tree 3 s after the signal.
const escalate = { afterMs: 3_000, signal: 'SIGKILL' } as const;
const requires = { commands: ['npm'] };

type Signal = 'SIGTERM' | 'SIGINT';
type Deliver = 'process' | 'group';
// Strike as soon as the app says it is ready (its handlers are installed by then).
const strike = (signal: unknown, deliver: unknown) => ({ at: { onLog: '^ready on' }, signal: signal as Signal, deliver: deliver as Deliver, escalate });

export default [
  // The app is the leader: a signal to the process reaches it.
  defineScenario({
    name: 'seed/wrapper/correct',
    matrix: { launch: ['node', 'sh-exec'], signal: ['SIGTERM', 'SIGINT'], deliver: ['process'] },
    target: ({ launch }) => launcher(launch),
    strike: ({ signal, deliver }) => strike(signal, deliver),
    expect: graceful,
  }),
  // Ctrl+C to the group reaches the app too, and dash and npm wait for it before they go.
  ...(['sh', 'npm'] as const).map((launch) =>
    defineScenario({
      name: 'seed/wrapper/correct',
      matrix: { launch: [launch], signal: ['SIGINT'], deliver: ['group'] },
      ...(launch === 'npm' ? { requires } : {}),
      target: launcher(launch),
      strike: ({ signal, deliver }) => strike(signal, deliver),
      expect: graceful,
    })),
  // A wrapper that stays the leader. To the process alone: SIGTERM kills the wrapper and orphans
  // the app (it never hears it); SIGINT is deferred by the shell, nothing exits until SIGKILL.
  // To the group, SIGTERM reaches the app but the wrapper dies at once, before the app is done.
  ...broken({ signal: ['SIGTERM', 'SIGINT'], deliver: ['process'] }),
  ...broken({ signal: ['SIGTERM'], deliver: ['group'] }),
];

// The broken wrappers (a shell that does not exec, `npm run`) for one signal x delivery matrix.
function broken(matrix: { signal: string[]; deliver: string[] }) {
  return (['sh', 'npm'] as const).map((launch) =>
    defineScenario({
      name: `seed/wrapper/broken-${launch === 'sh' ? 'sh-no-exec' : 'npm-run'}`,
      matrix,
      ...(launch === 'npm' ? { requires } : {}),
      target: launcher(launch),
      strike: ({ signal, deliver }) => strike(signal, deliver),
      // Known failures (expect.fails): what catches the wrapper depends on how the signal goes.
      expect: ({ signal, deliver }) => ({ ...graceful, fails: brokenFails(signal as Signal, deliver as Deliver) }),
    }));
}

// To the process alone, SIGTERM kills the wrapper and orphans the app; SIGINT is deferred by the
// shell until SIGKILL. To the group, the wrapper dies before the app is done.
function brokenFails(signal: Signal, deliver: Deliver): ExpectInput['fails'] {
  return signal === 'SIGINT' && deliver === 'process'
    ? { checks: ['exit-status', 'time-to-exit', 'no-escalation', 'log-present'], reason: 'the shell defers SIGINT and the app never hears it: nothing exits until SIGKILL after 3 s' }
    : { checks: ['no-orphans', 'log-present'], reason: 'the wrapper stays the leader and exits first: the app outlives it (orphaned, or still draining)' };
}

