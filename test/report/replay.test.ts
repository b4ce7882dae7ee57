// The replay command has one builder (report/replay.ts replayCommandOf), used by the live run
// (run/run-one.ts) and by the reports for results that carry no `replay`. A POSIX shell reads it
// back into the exact words, and its --grep matches the run's name and nothing longer.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { replayCommand, replayCommandOf } from '../../harness/report/replay.js';
import { compileUserRegex } from '../../harness/scenario/regex.js';

// The words a POSIX shell makes of `command` (a real /bin/sh, no evaluation beyond quoting).
function shellWords(command: string): string[] {
  const r = spawnSync('/bin/sh', ['-c', `set -- ${command}; printf '%s\\0' "$@"`], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`sh exited ${r.status}: ${r.stderr}`);
  return r.stdout.split('\0').slice(0, -1);
}

t.test('a plain run: no quotes where none are needed', async (t) => {
  t.equal(replayCommandOf({ file: 'scenarios/seed/ws-chat.scenario.ts', name: 'seed/ws-chat/broken-slow', seed: 7 }),
    "npx shutdown-drill run scenarios/seed/ws-chat.scenario.ts --grep '^seed/ws-chat/broken-slow$' --seed 7");
});

t.test('hostile file and run names come back from the shell word for word', async (t) => {
  const cases = [
    { file: 'my scenarios/it\'s.scenario.yaml', name: "o'neil [signal=SIGTERM,at={\"afterReadyMs\":5}]", seed: 1 },
    { file: 'a$b`c`.yaml', name: 'x.*+?^${}()|\\y', seed: 4294967295 },
    { file: '~user/x y.yaml', name: 'tab\there', seed: 0 },
  ];
  for (const c of cases) {
    const command = replayCommandOf(c);
    const words = shellWords(command);
    t.same(words.slice(0, 3), ['npx', 'shutdown-drill', 'run'], command);
    t.equal(words[3], c.file, command);
    t.equal(words[4], '--grep');
    t.same(words.slice(6), ['--seed', String(c.seed)]);
    const grep = compileUserRegex(words[5]!, '--grep');
    t.ok(grep.test(c.name), `${words[5]} matches ${c.name}`);
    t.notOk(grep.test(`${c.name}x`), `${words[5]} does not match a longer name`);
    t.notOk(grep.test(`x${c.name}`), `${words[5]} does not match a prefixed name`);
  }
});

t.test('a result: its recorded replay, else one built from its name without the repeat suffix', async (t) => {
  t.equal(replayCommand({ id: 'a#2', seed: 3, file: 'f.yaml', repeat: 2, replay: 'recorded' }), 'recorded');
  t.equal(replayCommand({ id: 'a#2', seed: 3, file: 'f.yaml', repeat: 2 }), "npx shutdown-drill run f.yaml --grep '^a$' --seed 3");
  t.equal(replayCommand({ id: 'a', seed: 3, repeat: 1 }), "npx shutdown-drill run --grep '^a$' --seed 3");
});
