import { eventsOf } from '../history/events.js';
import { checkKit } from '../scenario/fields.js';
import { compileUserRegex } from '../scenario/regex.js';
import { defineCheck, fail, noEvidence, pass } from './types.js';

const { z, ms, regex } = checkKit;

const inspectFields = {
  inspect: z.array(z.strictObject({
    name: z.string().min(1).describe('Name of this inspection, shown in the verdict'), command: z.string().min(1).describe('Program to run after the target exited (placeholders filled in)'), args: z.array(z.string()).default([]).describe('Its arguments'),
    cwd: z.string().optional().describe('Working directory, relative to `filesDir`'), exitCode: z.number().int().default(0).describe('Exit code that passes'), stdoutMatches: regex.optional().describe('RE2 pattern its stdout must match'),
    timeoutMs: ms.default(10_000).describe('Deadline in ms for the command; then it is killed and fails'),
  })).optional().describe('inspect: commands run after the exit (e.g. a database consistency check) exit as expected'),
};
declare module './registry.js' {
  interface CheckFieldRegistry { 'inspect': typeof inspectFields }
}

// inspect: each post-exit inspection command (e.g. a database consistency check) exited with the
// expected code and printed what was expected.
export const inspect = defineCheck({
  name: 'inspect',
  expect: inspectFields,
  applies: (spec) => (spec.expect.inspect?.length ?? 0) > 0,
  judge({ spec, events }) {
    const wanted = spec.expect.inspect!;
    const expected = wanted.map((w) => ({ name: w.name, exitCode: w.exitCode, stdoutMatches: w.stdoutMatches ?? null }));
    const results = eventsOf(events, 'inspect:result');
    if (results.length === 0) return noEvidence('inspect', expected, 'no inspection ran (the run ended early)');
    const problems: string[] = [];
    for (const w of wanted) {
      const r = results.find((x) => x.name === w.name);
      if (!r) problems.push(`${w.name}: did not run`);
      else if (r.error) problems.push(`${w.name}: ${r.error}`);
      else if (r.code !== w.exitCode) problems.push(`${w.name}: exit ${r.code ?? r.signal}, expected ${w.exitCode}: ${(r.stdout + r.stderr).trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`);
      else if (w.stdoutMatches && !compileUserRegex(w.stdoutMatches, `expect.inspect ${w.name}: stdoutMatches`).test(r.stdout)) problems.push(`${w.name}: output does not match /${w.stdoutMatches}/`);
    }
    const actual = results.map((r) => ({ name: r.name, code: r.code, stdout: r.stdout.slice(0, 500) }));
    return problems.length === 0 ? pass('inspect', expected, actual, `${wanted.length} inspection${wanted.length === 1 ? '' : 's'} passed`) : fail('inspect', expected, actual, problems.join('; '), problems);
  },
});
