// Issue 16, item 1: `target.pid1` runs the target as PID 1 of a PID namespace of its own, as a
// container without an init does. The kernel then drops a signal from outside whose action is the
// default, so a handler-less app ignores `docker stop`'s SIGTERM and is SIGKILLed at the end of
// the grace; the same app passes outside a namespace, or behind `init: tini`.
// Guards: harness/target/pid1.ts and its use in launch.ts / run-one.ts. Checked: with pid1's
// argv wrapping removed in launch.ts (the target run directly), the pid1 runs of the handler-less
// app passed and this test failed.
import t from 'tap';
import { runAppSuite } from '../helpers/app-suite.js';
import { runEvents } from '../helpers/cli.js';

const NO_HANDLER = 'console.log("ready"); setInterval(() => {}, 1000);\n';
const HANDLER = 'process.on("SIGTERM", () => process.exit(0)); console.log("ready"); setInterval(() => {}, 1000);\n';

interface Run { id: string; verdict: string; checks: Array<{ name: string; passed: boolean; message: string }>; exit: { code: number | null; signal: string | null; shellCode?: number } | null; history: string | null }

// Runs the scenarios (YAML, with APP standing for the app file) against an app with this body.
async function suite(t: Tap.Test, app: string, yaml: string): Promise<{ runs: Map<string, Run>; outDir: string }> {
  return runAppSuite<Run>(t, 'pid1', app, yaml);
}

function scenario(name: string, target: string, exit: string): string {
  return `
- name: ${name}
  target: { ${target}, ready: { log: '^ready$' } }
  strike: { at: { afterReadyMs: 100 }, signal: SIGTERM, escalate: { afterMs: 700 } }
  expect: { exit: ${exit} }
`;
}

const failed = (run: Run | undefined): string[] => (run?.checks ?? []).filter((c) => !c.passed).map((c) => c.name).sort();

t.test('a handler-less app: passes as an ordinary process, ignores SIGTERM as PID 1, exits behind tini', async (t) => {
  const { runs, outDir } = await suite(t, NO_HANDLER, [
    scenario('plain', 'command: node, args: [APP]', '{ signals: [SIGTERM] }'),
    scenario('pid1', 'command: node, args: [APP], pid1: true', '{ signals: [SIGTERM] }'),
    scenario('tini', 'command: node, args: [APP], pid1: true, init: tini', '{ codes: [143] }'),
  ].join(''));
  t.equal(runs.get('plain')?.verdict, 'pass', 'outside a namespace SIGTERM kills it');
  t.equal(runs.get('plain')?.exit?.signal, 'SIGTERM');
  t.equal(runs.get('pid1')?.verdict, 'fail', 'as PID 1 it ignores SIGTERM');
  t.same(failed(runs.get('pid1')), ['exit-status', 'no-escalation'], 'and is SIGKILLed by the escalation');
  t.equal(runs.get('pid1')?.exit?.signal, 'SIGKILL', 'the exit status is the SIGKILL, as docker wait reports it (137)');
  const events = runEvents(outDir, runs.get('pid1')!.history);
  const pid1 = events.find((e) => e.type === 'target:pid1');
  t.ok(pid1, 'the history says it ran as PID 1');
  const sent = events.find((e) => e.type === 'signal:sent' && e['signal'] === 'SIGTERM');
  t.same(sent?.['pids'], [pid1?.['pid']], 'SIGTERM went to PID 1 (its host pid)');
  t.equal(runs.get('tini')?.verdict, 'pass', 'behind tini the app gets SIGTERM and dies of it; tini exits 143');
});

t.test('an app with a handler passes both ways; a shell-form command as PID 1 swallows the SIGTERM', async (t) => {
  const { runs } = await suite(t, HANDLER, [
    scenario('plain', 'command: node, args: [APP]', '{ codes: [0] }'),
    scenario('pid1', 'command: node, args: [APP], pid1: true', '{ codes: [0] }'),
    scenario('shell-form', "command: 'node APP', shell: true, pid1: true", '{ codes: [0] }'),
  ].join(''));
  t.equal(runs.get('plain')?.verdict, 'pass');
  t.equal(runs.get('pid1')?.verdict, 'pass', 'a SIGTERM handler works as PID 1');
  t.equal(runs.get('shell-form')?.verdict, 'fail', '/bin/sh as PID 1 neither handles nor forwards SIGTERM (CMD npm start)');
  t.same(failed(runs.get('shell-form')), ['exit-status', 'no-escalation']);
});

t.test('PID 1 alone SIGKILLed (deliver: process, as an OOM kill of the init would): the exit is that SIGKILL, 137', async (t) => {
  // Guards the namespace parent's re-raise: signal.signal(SIGKILL) raises in Python, which made the
  // parent exit 1 instead of dying of the same signal.
  const { runs } = await suite(t, NO_HANDLER, `
- name: killed
  target: { command: node, args: [APP], pid1: true, ready: { log: '^ready$' } }
  strike: { at: { afterReadyMs: 100 }, signal: SIGKILL, deliver: process, escalate: false }
  expect: { exit: { signals: [SIGKILL] } }
`);
  t.equal(runs.get('killed')?.verdict, 'pass');
  t.same(runs.get('killed')?.exit, { code: null, signal: 'SIGKILL', shellCode: 137 });
});
