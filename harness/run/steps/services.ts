import path from 'node:path';
import type { ServiceSpec } from '../../scenario/schema.js';
import { launch, type Launched } from '../../target/launch.js';
import { waitReady } from '../../target/ready.js';
import type { Step } from '../steps.js';
import { HOST, type RunContext } from './context.js';

// Services first (e.g. a file server the target downloads from), each in its own container and
// ready before the next starts; ended after the target (their teardown runs later).
export const services: Step<RunContext> = {
  title: 'services',
  async setup(ctx, signal) {
    for (const service of ctx.spec.services) {
      if (signal.aborted) return;
      await startService(ctx, service, signal);
    }
  },
  async teardown({ services }) {
    // The last started first; a launch still in flight (the step lost its race) is awaited first.
    for (const { container, launching } of services.reverse()) {
      if (await launching.then(() => true, () => false)) await container.kill();
    }
  },
};

async function startService(ctx: RunContext, service: ServiceSpec, signal: AbortSignal): Promise<void> {
  const { history, now } = ctx;
  const container = ctx.newContainer(`svc-${service.name}`);
  const cwd = path.resolve(service.cwd ?? process.cwd());
  const lines: string[] = [];
  const launching = launch({
    command: service.command, args: service.args, cwd, env: service.env, shell: service.shell, marker: `${ctx.options.sessionMarker}${ctx.slot}~${service.name}/`, container, now, outputLines: 200,
    onLine: (stream, line, keep) => {
      if (keep) history.emit({ type: 'log:line', t: line.t, stream, line: line.line, source: service.name });
      if (lines.length < 500) lines.push(line.line);
    },
  });
  ctx.services.push({ container, launching });
  const svc: Launched = await launching;
  history.emit({ type: 'service:spawned', name: service.name, pid: svc.pid, command: service.command, args: service.args });
  const port = ctx.vars[`port.${service.name}`];
  await waitReady(service.ready, {
    host: HOST, port: port === undefined ? undefined : Number(port), cwd, exited: svc.exited, signal, what: `service "${service.name}"`,
    logSeen: (re) => lines.some((l) => re.test(l)), lastLines: () => svc.lastLines(10),
  });
  history.emit({ type: 'service:ready', name: service.name });
}
