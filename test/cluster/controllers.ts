// The real Flux controllers (built by test/cluster/build-controllers.sh) run as local processes against
// the test API server: KUBECONFIG with the admin kubeconfig, leader election off, metrics and health on
// free loopback ports, source-controller's artifact server on loopback (advertised there too, so
// kustomize-controller and helm-controller can download artifacts), and no event recorder address, so
// events become core/v1 Events. Tied to the run like the cluster: a supervisor stops them when the run ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { runBuildScript } from './build-script.js';
import { freePorts } from './cluster.js';

const HERE = dirname(fileURLToPath(import.meta.url));

export const CONTROLLER_NAMES = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
  'notification-controller',
] as const;
export type ControllerName = (typeof CONTROLLER_NAMES)[number];

export interface ControllerBuild {
  /** Controller name -> binary. */
  binaries: Record<ControllerName, string>;
  /** The CRDs of the same modules. */
  crds: string;
  /** The controllers' own Deployment manifests (config/manager/deployment.yaml), as <name>.yaml. */
  manifests: string;
  /** The Flux release these controllers belong to, e.g. v2.9.5 (the label of their CRDs). */
  release: string;
}

export interface ControllersInfo {
  release: string;
  /** Controller name -> version, e.g. v1.9.6. */
  versions: Record<ControllerName, string>;
  /** Controller name -> its log file (in the cluster directory). */
  logs: Record<ControllerName, string>;
  /** Controller name -> the same lines as a container log (CRI format), what kwok serves as its Pod's log. */
  containerLogs: Record<ControllerName, string>;
  /** Controller name -> process id. */
  pids: Record<ControllerName, number>;
  /** Where source-controller serves artifacts. */
  storageUrl: string;
}

export interface RunningControllers extends ControllersInfo {
  stop(): Promise<void>;
}

/**
 * Builds or finds the cached controllers and their CRDs (test/cluster/build-controllers.sh), of the Flux
 * release FLUX_OPS_MCP_FLUX selects (2.7 or 2.9, default 2.9): the script reads it from the environment it
 * inherits. The flags startControllers passes exist in both sets (each controller's main.go).
 */
export function controllerBuild(): ControllerBuild {
  const vars = runBuildScript('build-controllers.sh');
  const binaries = Object.fromEntries(
    CONTROLLER_NAMES.map((name) => [name, vars[name.toUpperCase().replace(/-/g, '_')]!]),
  ) as Record<ControllerName, string>;
  return {
    binaries,
    crds: vars.FLUX_CONTROLLER_CRDS!,
    manifests: vars.FLUX_CONTROLLER_MANIFESTS!,
    release: vars.FLUX_CONTROLLERS_RELEASE!,
  };
}

async function until(what: string, timeoutMs: number, gone: () => boolean, probe: () => Promise<boolean>) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone()) throw new Error(`stopped while waiting for ${what}`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The last lines of a log, for an error message that outlives the cluster directory. */
function tail(file: string, lines = 10): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface ControllerOptions {
  /** The admin kubeconfig the controllers use. */
  kubeconfig: string;
  /** The cluster's directory: logs and source-controller's storage go there. */
  dir: string;
  build?: ControllerBuild;
  /** How long a dependent waits before checking its dependencies again (the controllers' default is 30s). */
  requeueDependency?: string;
}

/** Ports: source-controller's artifact server, metrics and health of each, notification's two servers. */
const PORTS = 1 + 2 * CONTROLLER_NAMES.length + 2;

/**
 * Starts every controller and waits until each answers /readyz. Every port is a different one; another
 * process may still take one before a controller binds it (the controller then exits): the start is tried
 * again on new ports, saying so in one line. The error of a start that fails twice names the controller
 * and ends with the logs.
 */
export async function startControllers(options: ControllerOptions): Promise<RunningControllers> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof ControllersExited)) throw err;
      process.stderr.write(`controllers: ${err.brief}; starting them again on other ports\n`);
    }
  }
}

/** A controller exited while starting (most often: its port was taken); `brief` says which, in one line. */
class ControllersExited extends Error {
  constructor(
    message: string,
    readonly brief: string,
  ) {
    super(message);
  }
}

async function startOnce(options: ControllerOptions): Promise<RunningControllers> {
  const build = options.build ?? controllerBuild();
  const storage = join(options.dir, 'source-controller-storage');
  mkdirSync(storage, { recursive: true });
  const ports = await freePorts(PORTS);
  const port = () => ports.shift()!;
  const storagePort = port();
  const health: Record<string, number> = {};
  const processes = [];
  for (const name of CONTROLLER_NAMES) {
    const [metrics, healthPort] = [port(), port()];
    health[name] = healthPort;
    const args = [
      `--metrics-addr=127.0.0.1:${metrics}`,
      `--health-addr=127.0.0.1:${healthPort}`,
      '--enable-leader-election=false',
      '--watch-all-namespaces=true',
      '--log-level=debug',
      '--log-encoding=json',
    ];
    if (name === 'source-controller') {
      args.push(
        `--storage-path=${storage}`,
        `--storage-addr=127.0.0.1:${storagePort}`,
        `--storage-adv-addr=127.0.0.1:${storagePort}`,
        '--events-addr=',
      );
    } else if (name === 'notification-controller') {
      args.push(`--events-addr=127.0.0.1:${port()}`, `--receiverAddr=127.0.0.1:${port()}`);
    } else {
      args.push('--events-addr=');
      if (options.requeueDependency) args.push(`--requeue-dependency=${options.requeueDependency}`);
    }
    processes.push({
      name,
      command: build.binaries[name],
      args,
      log: join(options.dir, `${name}.log`),
      criLog: join(options.dir, `${name}.container.log`),
      env: { KUBECONFIG: options.kubeconfig, RUNTIME_NAMESPACE: 'flux-system' },
    });
  }

  const supervisor: ChildProcess = spawn(
    process.execPath,
    [join(HERE, 'supervisor.mjs'), JSON.stringify({ processes })],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  // The supervisor says which controller exited; keep it for the error.
  let said = '';
  supervisor.stderr?.on('data', (d: Buffer) => (said += d.toString()));
  let exited = false;
  supervisor.on('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    const done = new Promise((r) => supervisor.once('exit', r));
    supervisor.stdin?.write('stop\n');
    supervisor.stdin?.end();
    await done;
  };
  try {
    const started = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: supervisor.stdout! });
      lines.on('line', (line) => line.startsWith('pids ') && resolve(line));
      supervisor.once('exit', () => reject(new Error('the controllers supervisor exited')));
    });
    const pids = JSON.parse(started.slice('pids '.length)) as Record<ControllerName, number>;
    for (const name of CONTROLLER_NAMES) {
      const log = join(options.dir, `${name}.log`);
      try {
        await until(
          `${name} to be ready`,
          60_000,
          () => exited,
          async () => (await fetch(`http://127.0.0.1:${health[name]}/readyz`)).ok,
        );
      } catch (err) {
        const logs = CONTROLLER_NAMES.map((n) => `--- ${n}.log\n${tail(join(options.dir, `${n}.log`))}`);
        const why = said.trim() || `log: ${log}`;
        const message = `controllers: ${err instanceof Error ? err.message : String(err)}: ${why}\n${logs.join('\n')}`;
        if (!exited) throw new Error(message, { cause: err });
        const reason = /address already in use/.test(tail(log, 50)) ? 'its port was taken' : why;
        throw new ControllersExited(message, `${name} exited (${reason.split('\n')[0]})`);
      }
    }
    const versions = Object.fromEntries(
      CONTROLLER_NAMES.map((n) => [n, build.binaries[n].slice(build.binaries[n].lastIndexOf('-') + 1)]),
    ) as Record<ControllerName, string>;
    const logs = Object.fromEntries(
      CONTROLLER_NAMES.map((n) => [n, join(options.dir, `${n}.log`)]),
    ) as Record<ControllerName, string>;
    const containerLogs = Object.fromEntries(
      CONTROLLER_NAMES.map((n) => [n, join(options.dir, `${n}.container.log`)]),
    ) as Record<ControllerName, string>;
    // Once started, what the supervisor says (a controller exiting) matters to whoever watches the run.
    supervisor.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
    return {
      release: build.release,
      versions,
      logs,
      containerLogs,
      pids,
      storageUrl: `http://127.0.0.1:${storagePort}`,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Resident memory of a process now and at its peak, in MiB (Linux /proc). */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssMiB: Math.round(kb('VmRSS') / 1024), peakMiB: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return undefined;
  }
}
