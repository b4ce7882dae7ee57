// The ws and browser drivers' ackPattern: validated when the scenario is loaded (RE2, and a
// JavaScript RegExp for the browser page), matched in the ws driver with RE2 in linear time.
import path from 'node:path';
import t from 'tap';
import { ackMatcher, ackPatternProblem, ackPatternSource } from '../../harness/scenario/regex.js';
import { newMark, runCli, tempDir, writeScenario } from '../helpers/cli.js';

t.test('the seqs a message acks: {seq} captured, {client} filled in and escaped', async (t) => {
  t.same(ackMatcher('"ack":{seq}\\b', 'c0')('{"ack":12} {"ack":13} {"ack":1x}'), [12, 13]);
  t.same(ackMatcher('{client}/ack/{seq}', 'c.1')('c.1/ack/7 cx1/ack/8'), [7], 'the client id matches literally (its dot escaped)');
  t.equal(ackPatternSource('{client}:{seq}', 'a+b'), 'a\\+b:(\\d+)');
});

t.test('a catastrophic pattern costs linear time, not the worker\'s event loop', async (t) => {
  const ack = ackMatcher('"ack":{seq}(a+)+$', 'c0');
  const text = `"ack":1${'a'.repeat(40)}b`;
  const t0 = performance.now();
  t.same(ack(text), [], 'no match');
  const ms = performance.now() - t0;
  t.ok(ms < 200, `matched in ${ms.toFixed(2)} ms (V8's backtracking RegExp takes minutes on this)`);
});

t.test('patterns that cannot be used are named at load', async (t) => {
  t.match(ackPatternProblem('"ack":(?=x){seq}'), /is not a regular expression the harness runs.*lookahead/);
  t.match(ackPatternProblem('"ack":\\d+'), /has no \{seq\}/);
  t.match(ackPatternProblem('(?P<n>a){seq}'), /not a JavaScript regular expression, which the browser driver's page needs/);
  t.equal(ackPatternProblem('"ack":{seq}\\b'), undefined);
});

t.test('the CLI: a ws ackPattern RE2 cannot run is a usage error naming the field (exit 2)', async (t) => {
  const mark = newMark();
  const file = writeScenario(`
- name: bad-ack
  target: { command: node, args: [-e, 'setInterval(() => {}, 1000)'], ready: { log: '^never' } }
  load: [{ ws: { clients: 1, ackPattern: '"ack":{seq}(?!x)' } }]
  strike: { at: { afterReadyMs: 10 }, signal: SIGTERM }
`);
  const r = await runCli(['run', file, '--out', path.join(tempDir('drill-ack-'), 'out')], { mark });
  t.equal(r.code, 2, r.stderr);
  t.match(r.stderr, /^shutdown-drill: 1 problem in the scenarios:\n.*load\[0\]\.ws\.ackPattern: .*lookahead and lookbehind/);
});
