// dockerStopFromDockerfile (harness/target/dockerfile.ts): the argv PID 1 runs, exec vs shell
// form, the stop signal, and the warnings, from the Dockerfile reference's rules.
import t from 'tap';
import { dockerStopFromDockerfile as read } from '../../harness/target/dockerfile.js';

t.test('exec-form CMD: that argv is PID 1, SIGTERM by default, no warning', async (t) => {
  t.same(read('FROM node:20\nCMD ["node", "server.js"]\n'), { argv: ['node', 'server.js'], shellForm: false, stopSignal: 'SIGTERM', warnings: [] });
});

t.test('shell-form CMD: /bin/sh -c is PID 1, with a warning naming the fix', async (t) => {
  const r = read('FROM node:20\nCMD npm start\n');
  t.same(r.argv, ['/bin/sh', '-c', 'npm start']);
  t.equal(r.shellForm, true);
  t.equal(r.warnings.length, 1);
  t.match(r.warnings[0], /shell form: \/bin\/sh is PID 1.*CMD \["prog", "arg"\]/);
});

t.test('ENTRYPOINT + CMD: exec forms concatenate; a shell-form ENTRYPOINT ignores CMD; SHELL changes the shell', async (t) => {
  t.same(read('FROM x\nENTRYPOINT ["tini", "--"]\nCMD ["node", "a.js"]').argv, ['tini', '--', 'node', 'a.js']);
  const shellEntry = read('FROM x\nENTRYPOINT exec node a.js\nCMD ["--port", "80"]');
  t.same(shellEntry.argv, ['/bin/sh', '-c', 'exec node a.js']);
  t.match(shellEntry.warnings.join('\n'), /CMD is ignored/);
  t.same(read('FROM x\nSHELL ["/bin/bash", "-lc"]\nCMD node a.js').argv, ['/bin/bash', '-lc', 'node a.js']);
  const mixed = read('FROM x\nENTRYPOINT ["node"]\nCMD a.js');
  t.same(mixed.argv, ['node', '/bin/sh', '-c', 'a.js'], 'as Docker does: the shell form of CMD becomes the arguments');
  t.equal(mixed.shellForm, false);
  t.match(mixed.warnings.join('\n'), /write CMD as a JSON array/);
});

t.test('only the last instruction of the final stage counts; continuations and comments are read', async (t) => {
  const text = [
    'FROM node:20 AS build', 'CMD ["node", "build.js"]', 'STOPSIGNAL SIGINT',
    'FROM node:20-slim', '# the app', 'CMD ["node", \\', '     "server.js"]', 'cmd ["node", "final.js"]', 'stopsignal QUIT',
  ].join('\n');
  t.same(read(text), { argv: ['node', 'final.js'], shellForm: false, stopSignal: 'SIGQUIT', warnings: [] });
  t.same(read('# escape=`\nFROM x\nCMD ["a", `\n "b"]').argv, ['a', 'b'], 'the escape directive');
});

t.test('STOPSIGNAL by number and by unsupported name; no CMD; invalid JSON; $VAR in the exec form', async (t) => {
  t.equal(read('FROM x\nCMD ["a"]\nSTOPSIGNAL 2').stopSignal, 'SIGINT');
  const odd = read('FROM x\nCMD ["a"]\nSTOPSIGNAL SIGWINCH');
  t.equal(odd.stopSignal, 'SIGWINCH');
  t.match(odd.warnings.join('\n'), /not one the harness sends/);
  const none = read('FROM node:20\nRUN npm ci');
  t.same(none.argv, []);
  t.match(none.warnings.join('\n'), /neither CMD nor ENTRYPOINT/);
  const bad = read("FROM x\nCMD ['node', 'a.js']");
  t.equal(bad.shellForm, true, 'single quotes are not JSON: Docker runs it in a shell');
  t.match(bad.warnings.join('\n'), /not a valid JSON array/);
  t.match(read('FROM x\nCMD ["node", "$APP"]').warnings.join('\n'), /does not expand environment variables/);
});
