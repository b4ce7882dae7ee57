import { PlatformSchema, type PlatformExpansion, type PlatformSpec } from './schema.js';

// Platform presets: `platform: { <name>: {...} }` expands into the signal plan, the delivery, the
// grace and the side effects the platform would apply, each only where the scenario does not set
// the field itself (what it set is listed in `kept`). The expansion is written into the run as
// `platformExpansion`, so spec.json says exactly what the preset did.
//
// docker-stop (https://docs.docker.com/reference/cli/docker/container/stop/, the Dockerfile
// reference's STOPSIGNAL): "The main process inside the container will receive SIGTERM, and after
// a grace period, SIGKILL"; the first signal is the image's STOPSIGNAL; `-t` defaults to 10 s. The
// main process is PID 1 of the container's PID namespace (`pid1`), so a signal it has no handler
// for is dropped; SIGKILL ends the container (every process). `docker wait` then prints the exit
// code, 128 + n after a signal (137 after SIGKILL).
//
// kubernetes (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination):
// the kubelet runs the preStop hook, then "triggers the container runtime to send a TERM signal to
// process 1 inside each container"; "If the preStop hook is still running after the grace period
// expires, the kubelet requests a small, one-off grace period extension of 2 seconds"; when the
// grace (terminationGracePeriodSeconds, default 30, counted from the start of the termination,
// preStop included) expires "the container runtime sends SIGKILL to any processes still running
// in any container in the Pod". "At the same time as the kubelet is starting graceful shutdown of
// the Pod, the control plane" removes the Pod from the EndpointSlices; kube-proxy and load
// balancers act on that later, so traffic keeps arriving for a while: modelled as the load
// starting new work until `endpointLagMs` (default 1000, an assumption: measure your own) after
// the termination starts, which is SIGTERM when there is no preStop.
//
// systemd (systemd.kill(5), https://www.freedesktop.org/software/systemd/man/latest/systemd.kill.html):
// "Processes will first be terminated via SIGTERM ... Optionally, this is immediately followed by
// a SIGHUP (if enabled with SendSIGHUP=)"; "right after sending the signal specified in this
// setting, systemd will always send SIGCONT". KillMode=control-group: "all remaining processes in
// the control group of this unit will be killed"; mixed: "the SIGTERM signal is sent to the main
// process while the subsequent SIGKILL signal is sent to all remaining processes of the unit's
// control group"; process: "only the main process itself is killed". "If processes still remain
// after the main process of a unit has exited (applies to KillMode=: mixed) or the delay
// configured via the TimeoutStopSec= has passed (applies to KillMode=: control-group, mixed,
// process), the termination request is repeated with the SIGKILL signal". TimeoutStopSec defaults
// to 90 s (DefaultTimeoutStopSec=, systemd-system.conf(5)).
//
// Not emulated: cgroup limits (memory, CPU), a network namespace, the container's filesystem, a
// real kube-proxy; see docs/drivers.md for drivers that would use real engines.

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

// The run with the preset's fields filled in and `platformExpansion` recorded; the input as it was
// when it has no `platform` or one the schema rejects (the schema then reports it).
export function expandPlatform(run: Raw): Raw {
  const parsed = PlatformSchema.safeParse(run['platform']);
  if (run['platform'] === undefined || !parsed.success) return run;
  const plan = presetFields(parsed.data);
  const target = isObject(run['target']) ? { ...run['target'] } : undefined;
  // Without a strike there is nothing to fill there (the shape check asks for one).
  const strike = isObject(run['strike']) ? { ...run['strike'] } : undefined;
  const set: Record<string, unknown> = {};
  const kept: string[] = [];
  for (const [path, value] of Object.entries(plan.fields)) {
    const [where, key] = path.split('.') as ['target' | 'strike', string];
    const obj = where === 'target' ? target : strike;
    if (!obj) continue;
    if (obj[key] !== undefined) {
      kept.push(path);
      continue;
    }
    obj[key] = value;
    set[path] = value;
  }
  const expansion: PlatformExpansion = { preset: plan.preset, set, kept, warnings: plan.warnings(target ?? {}) };
  return { ...run, ...(target ? { target } : {}), ...(strike ? { strike } : {}), platformExpansion: expansion };
}

interface Preset {
  preset: PlatformExpansion['preset'];
  fields: Record<string, unknown>;
  warnings: (target: Raw) => string[];
}

function presetFields(platform: PlatformSpec): Preset {
  if ('docker-stop' in platform) {
    const p = platform['docker-stop'];
    return {
      preset: 'docker-stop',
      fields: {
        'target.pid1': true,
        'strike.signal': p.stopSignal ?? 'SIGTERM',
        'strike.deliver': 'process',
        'strike.escalate': { afterMs: (p.timeoutS ?? 10) * 1000, signal: 'SIGKILL', deliver: 'tree' },
      },
      warnings: containerWarnings,
    };
  }
  if ('kubernetes' in platform) {
    const p = platform.kubernetes;
    return {
      preset: 'kubernetes',
      fields: {
        'target.pid1': true,
        'strike.signal': 'SIGTERM',
        'strike.deliver': 'process',
        'strike.escalate': { afterMs: (p.terminationGracePeriodSeconds ?? 30) * 1000, signal: 'SIGKILL', deliver: 'tree' },
        ...(p.preStop ? { 'strike.preStop': p.preStop } : {}),
        'strike.endpointLagMs': p.endpointLagMs ?? 1000,
      },
      warnings: (target) => {
        const w = containerWarnings(target);
        const grace = (p.terminationGracePeriodSeconds ?? 30) * 1000;
        if (p.preStop && 'sleepS' in p.preStop && p.preStop.sleepS * 1000 >= grace) {
          w.push(`preStop sleeps ${p.preStop.sleepS} s, not less than terminationGracePeriodSeconds (${grace / 1000} s): SIGTERM comes at the end of the grace, and SIGKILL 2 s later (the kubelet's one-off extension)`);
        }
        return w;
      },
    };
  }
  const p = platform.systemd;
  const main = p.killMode === 'control-group' ? 'tree' : 'process';
  return {
    preset: 'systemd',
    fields: {
      'strike.signal': ['SIGTERM', { signal: 'SIGCONT' }, ...(p.sendSIGHUP ? [{ signal: 'SIGHUP' }] : [])],
      'strike.deliver': main,
      'strike.escalate': { afterMs: (p.timeoutStopSec ?? 90) * 1000, signal: 'SIGKILL', deliver: p.killMode === 'process' ? 'process' : 'tree' },
      'strike.killRestOnExit': p.killMode === 'mixed',
      'strike.waitRestOnExit': p.killMode === 'control-group',
    },
    warnings: (target) => (target['pid1'] === true ? ['target.pid1 is set, but a systemd service is not PID 1 of a PID namespace (systemd is PID 1)'] : []),
  };
}

// A shell as PID 1 (shell-form CMD), or a container preset run outside a PID namespace.
function containerWarnings(target: Raw): string[] {
  const w: string[] = [];
  const init = target['init'];
  if (target['pid1'] === false) w.push('target.pid1 is false: the kernel\'s PID 1 rules (a signal without a handler is dropped) are not applied, so this is not what the container would do');
  const command = typeof target['command'] === 'string' ? target['command'] : '';
  const args = Array.isArray(target['args']) ? target['args'] : [];
  const shellC = /(^|\/)(sh|bash|dash|ash|zsh)$/.test(command) && args[0] === '-c';
  if ((target['shell'] === true || shellC) && (init === undefined || init === 'none')) {
    w.push(`shell form: ${target['shell'] === true ? '/bin/sh' : command} is PID 1 and runs the app as its child; a shell neither handles nor forwards SIGTERM, so the platform waits out its grace and SIGKILLs it. Use the exec form (CMD ["prog", "arg"]), \`exec\` in the shell text, or an init (target.init: tini)`);
  }
  return w;
}
