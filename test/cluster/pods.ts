// Pods on the test cluster without a container runtime. kwok (sigs.k8s.io/kwok) plays the kubelet of one
// node: it moves the Pods bound to that node through the stages of test/cluster/kwok/ (Running and Ready,
// or failing as production Pods fail: ImagePullBackOff, CrashLoopBackOff, OOMKilled, never ready) and serves
// container logs from files through its kubelet endpoint, so `pods/log` works through the API server.
// kube-controller-manager and kube-scheduler (built from the same k8s.io/kubernetes as the API server) make
// Deployments roll out onto it: Deployment -> ReplicaSet -> Pods -> bound to the node -> Running.
// docs/test-cluster.md says which Pods fail how.
import { appendFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestApi, TestObject } from '../support/api.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const STAGES = join(HERE, 'kwok');

/** The simulated node every Pod is scheduled on. */
export const NODE_NAME = 'kwok-node';
/** The annotation kwok manages nodes by (its own default, kustomize/kwok/kwok.yaml). */
const NODE_ANNOTATION = 'kwok.x-k8s.io/node';
export const KWOK_API = 'kwok.x-k8s.io/v1alpha1';

/**
 * What runs Pods: `node` is kwok with one node (a Pod created with `spec.nodeName` of it runs, its logs are
 * served); `workloads` adds kube-controller-manager and kube-scheduler, so Deployments, ReplicaSets and
 * Jobs make Pods and the scheduler binds them, namespaces are finalized and garbage is collected.
 */
export type PodsMode = 'node' | 'workloads';

export interface PodsBinaries {
  kwok: string;
  kwokCrds: string;
  kubeControllerManager?: string;
  kubeScheduler?: string;
}

export interface SupervisedProcess {
  name: string;
  command: string;
  args: string[];
  log: string;
  env?: Record<string, string>;
  criLog?: string;
}

/** The components build-binaries.sh builds for a mode. */
export function podsComponents(mode: PodsMode): string[] {
  return mode === 'node' ? ['kwok'] : ['kwok', 'kube-controller-manager', 'kube-scheduler'];
}

export function podsBinaries(vars: Record<string, string>, mode: PodsMode): PodsBinaries {
  return {
    kwok: vars.KWOK!,
    kwokCrds: vars.KWOK_CRDS!,
    ...(mode === 'workloads'
      ? { kubeControllerManager: vars.KUBE_CONTROLLER_MANAGER!, kubeScheduler: vars.KUBE_SCHEDULER! }
      : {}),
  };
}

/** kwok's CustomResourceDefinitions the cluster needs: Logs and ClusterLogs (kwok.x-k8s.io). */
export function kwokCrdFiles(bin: PodsBinaries): string[] {
  return ['kwok.x-k8s.io_logs.yaml', 'kwok.x-k8s.io_clusterlogs.yaml'].map((f) => join(bin.kwokCrds, f));
}

/**
 * kwok playing the node's kubelet: it manages the nodes annotated kwok.x-k8s.io/node=fake, renews their
 * Leases, applies the
 * stages of test/cluster/kwok/, and serves container logs (Logs and ClusterLogs objects name the files) on
 * 127.0.0.1:<port> over TLS with the API server's own certificate, which the API server does not verify
 * (no --kubelet-certificate-authority).
 */
export function kwokProcess(
  bin: PodsBinaries,
  o: { kubeconfig: string; dir: string; port: number; certFile: string; keyFile: string },
): SupervisedProcess {
  const stages = readdirSync(STAGES)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `--config=${join(STAGES, f)}`);
  return {
    name: 'kwok',
    command: bin.kwok,
    log: join(o.dir, 'kwok.log'),
    args: [
      `--kubeconfig=${o.kubeconfig}`,
      ...stages,
      `--manage-nodes-with-annotation-selector=${NODE_ANNOTATION}=fake`,
      '--node-ip=127.0.0.1',
      `--node-port=${o.port}`,
      `--server-address=127.0.0.1:${o.port}`,
      `--tls-cert-file=${o.certFile}`,
      `--tls-private-key-file=${o.keyFile}`,
      '--enable-crds=Logs,ClusterLogs',
      // kwok renews the node's Lease as a kubelet does (every 10 s); without it kube-controller-manager
      // finds the node silent after 50 s and marks its Pods not ready.
      '--node-lease-duration-seconds=40',
      '--cidr=10.244.0.0/16',
    ],
  };
}

/**
 * kube-controller-manager and kube-scheduler against the admin kubeconfig, leader election off, serving
 * nothing (--secure-port=0: no port to race for). The controller manager signs service account tokens with
 * the API server's key and publishes its CA in every namespace (kube-root-ca.crt), as on a real cluster.
 */
export function controlPlaneProcesses(
  bin: PodsBinaries,
  o: { kubeconfig: string; dir: string; serviceAccountKey: string; rootCa: string },
): SupervisedProcess[] {
  if (!bin.kubeControllerManager || !bin.kubeScheduler) throw new Error('kube-controller-manager not built');
  return [
    {
      name: 'kube-controller-manager',
      command: bin.kubeControllerManager,
      log: join(o.dir, 'kube-controller-manager.log'),
      args: [
        `--kubeconfig=${o.kubeconfig}`,
        '--leader-elect=false',
        '--secure-port=0',
        `--service-account-private-key-file=${o.serviceAccountKey}`,
        `--root-ca-file=${o.rootCa}`,
        '--use-service-account-credentials=false',
      ],
    },
    {
      name: 'kube-scheduler',
      command: bin.kubeScheduler,
      log: join(o.dir, 'kube-scheduler.log'),
      args: [`--kubeconfig=${o.kubeconfig}`, '--leader-elect=false', '--secure-port=0'],
    },
  ];
}

/** The node kwok plays: Ready once kwok has initialized it (stage node-initialize). */
export function nodeObject(): TestObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: NODE_NAME,
      annotations: { [NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': NODE_NAME,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
  };
}

/** One line of a container log: its text, and when it was written (now by default). */
export interface LogLine {
  text: string;
  time?: Date;
  stream?: 'stdout' | 'stderr';
}

/**
 * Appends lines to a container log file in the format a kubelet keeps them in (the Container Runtime
 * Interface's `<RFC 3339 time> <stream> F <text>`), which kwok reads for pods/log with tailLines,
 * sinceSeconds and limitBytes as a kubelet does.
 */
export function appendContainerLog(file: string, lines: readonly (string | LogLine)[]): void {
  const now = new Date();
  const text = lines
    .map((l) => (typeof l === 'string' ? { text: l } : l))
    .map((l) => {
      const time = (l.time ?? now).toISOString().replace(/Z$/, '000000Z');
      return `${time} ${l.stream ?? 'stdout'} F ${l.text}\n`;
    })
    .join('');
  appendFileSync(file, text);
}

/** Where a container's log is: the current instance, and the one before it (`previous`). */
export interface ContainerLogFiles {
  log: string;
  previous?: string;
}

function logsSpec(containers: Record<string, ContainerLogFiles>) {
  return Object.entries(containers).map(([name, files]) => ({
    containers: [name],
    logsFile: files.log,
    ...(files.previous ? { previousLogsFile: files.previous } : {}),
  }));
}

/** Serves the containers' logs of one Pod from files (a kwok Logs object named after the Pod). */
export async function servePodLogs(
  api: TestApi,
  pod: { namespace: string; name: string },
  containers: Record<string, ContainerLogFiles>,
): Promise<void> {
  await api.apply({
    apiVersion: KWOK_API,
    kind: 'Logs',
    metadata: { name: pod.name, namespace: pod.namespace },
    spec: { logs: logsSpec(containers) },
  });
}

/**
 * Serves the logs of the containers of that name in every Pod of the namespaces (a kwok ClusterLogs
 * object): for Pods a Deployment makes, whose names are not known in advance.
 */
export async function serveNamespaceLogs(
  api: TestApi,
  name: string,
  namespaces: string[],
  containers: Record<string, ContainerLogFiles>,
): Promise<void> {
  await api.apply({
    apiVersion: KWOK_API,
    kind: 'ClusterLogs',
    metadata: { name },
    spec: { selector: { matchNamespaces: namespaces }, logs: logsSpec(containers) },
  });
}
