// The test cluster: a real kube-apiserver and etcd on free 127.0.0.1 ports, TLS, RBAC, static-token users,
// the Flux CRDs installed and served, and on demand Pods (test/cluster/pods.ts: kwok as the kubelet of one
// node, kube-controller-manager and kube-scheduler). One per test run; a supervisor process stops it when
// the run ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { TestApi, type TestObject } from '../support/api.js';
import { fluxInstallLabels } from '../support/flux.js';
import { runBuildScript } from './build-script.js';
import { clientCertificates } from './client-certificates.js';
import {
  controlPlaneProcesses,
  kwokCrdFiles,
  kwokProcess,
  NODE_NAME,
  nodeObject,
  podsBinaries,
  podsComponents,
  type PodsBinaries,
  type PodsMode,
  type SupervisedProcess,
} from './pods.js';

const HERE = dirname(fileURLToPath(import.meta.url));

export const RESTRICTED_NAMESPACE = 'team-a';
export const ADMIN_USER = 'admin';
export const RESTRICTED_USER = 'jane';
/** The user of the client certificate `<dir>/admin-client.crt` (with its key `admin-client.key`), in system:masters. */
export const CERT_USER = 'cert-admin';

export interface ClusterInfo {
  server: string;
  caFile: string;
  kubeconfig: string;
  adminToken: string;
  restrictedToken: string;
  dir: string;
  /** The Flux release whose CRDs are installed, e.g. v2.9.5 (FLUX_OPS_MCP_FLUX selects 2.7 or 2.9). */
  fluxRelease: string;
  /** The etcd the API server stores in, for tests that look at what is stored (http://127.0.0.1:port). */
  etcd: string;
  /** What runs Pods (test/cluster/pods.ts), and the node they run on; none when Pods never run. */
  pods?: { mode: PodsMode; node: string };
}

export interface CrdSet {
  /** Directory of CRD YAML files, from the controllers' Go modules. */
  dir: string;
  /** The release label a `flux install` of these CRDs writes, e.g. v2.7.5. */
  release: string;
}

export interface ClusterOptions {
  /**
   * The CustomResourceDefinitions to install and the Flux release to label them with (default: the CRD set
   * of build-binaries.sh that FLUX_OPS_MCP_FLUX selects).
   */
  crds?: CrdSet;
  /** Install no Flux CRDs (tests that install their own with installCrds). */
  withoutCrds?: boolean;
  /** Run Pods: kwok as a node (`node`), and kube-controller-manager and kube-scheduler (`workloads`). */
  pods?: PodsMode;
}

export interface RunningCluster extends ClusterInfo {
  stop(): Promise<void>;
  /**
   * Stops the kube-apiserver process (etcd keeps the state); returns once it has exited. `graceful` is a
   * SIGTERM (the API server closes its connections, as in a restart), `kill` a SIGKILL (as in a crash).
   */
  stopApiServer(how?: 'graceful' | 'kill'): Promise<void>;
  /** Starts it again on the same port with the same certificates and tokens; returns once it is ready. */
  startApiServer(): Promise<void>;
}

/**
 * `n` different TCP ports on 127.0.0.1 that are free now. They are held open together until all are found:
 * ports asked for one after the other can repeat, because the kernel may hand out a port again as soon as
 * it is released. Another process can still take one before its user binds it; starters retry then.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const srv = createServer();
          srv.unref();
          srv.on('error', reject);
          srv.listen(0, '127.0.0.1', () => resolve(srv));
        }),
    ),
  );
  const ports = servers.map((srv) => {
    const addr = srv.address();
    if (typeof addr !== 'object' || !addr) throw new Error('no port');
    return addr.port;
  });
  await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
  return ports;
}

/** A TCP port on 127.0.0.1 that is free now (freePorts when a process needs several). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/**
 * Builds or finds the cached binaries and CRDs (test/cluster/build-binaries.sh), with what runs Pods when
 * `pods` is given. The script reads FLUX_OPS_MCP_FLUX (2.7 or 2.9, default the newest) from the environment
 * it inherits and names the chosen CRD set in FLUX_CRDS and its release in FLUX_RELEASE.
 */
export function binaries(pods?: PodsMode): {
  kubeApiserver: string;
  etcd: string;
  crds: string;
  fluxRelease: string;
  /** Every CRD set, by Flux minor (2.7, 2.9). */
  crdSets: Record<string, CrdSet>;
  pods?: PodsBinaries;
} {
  const vars = runBuildScript('build-binaries.sh', pods ? podsComponents(pods) : []);
  const crdSets: Record<string, CrdSet> = {};
  for (const [key, dir] of Object.entries(vars)) {
    const m = /^FLUX_CRDS_(\d+)_(\d+)$/.exec(key);
    if (m) crdSets[`${m[1]}.${m[2]}`] = { dir: dir!, release: vars[`FLUX_RELEASE_${m[1]}_${m[2]}`]! };
  }
  return {
    kubeApiserver: vars.KUBE_APISERVER!,
    etcd: vars.ETCD!,
    crds: vars.FLUX_CRDS!,
    fluxRelease: vars.FLUX_RELEASE!,
    crdSets,
    ...(pods ? { pods: podsBinaries(vars, pods) } : {}),
  };
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`test cluster: timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** The CRDs in YAML files (each file one or more documents). */
function readCrdFiles(files: string[]): TestObject[] {
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8'))
      .map((doc) => doc.toJS() as TestObject | null)
      .filter((obj): obj is TestObject => obj?.kind === 'CustomResourceDefinition'),
  );
}

function kubeconfigYaml(
  info: Pick<ClusterInfo, 'server' | 'caFile' | 'adminToken' | 'restrictedToken'>,
): string {
  const ca = readFileSync(info.caFile).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${info.server}
    certificate-authority-data: ${ca}
users:
- name: ${ADMIN_USER}
  user:
    token: ${info.adminToken}
- name: ${RESTRICTED_USER}
  user:
    token: ${info.restrictedToken}
contexts:
- name: admin
  context:
    cluster: test
    user: ${ADMIN_USER}
- name: restricted
  context:
    cluster: test
    user: ${RESTRICTED_USER}
    namespace: ${RESTRICTED_NAMESPACE}
current-context: admin
`;
}

/**
 * The controllers' module zips carry their CRDs without labels; `flux install` adds these to every object it
 * applies (fluxcd/flux2 pkg/manifestgen/install/templates.go), and `flux check` reads the release from them.
 * The Flux Operator's CRDs are not part of a Flux install and stay as they come.
 */
function labelledAsInstalled(crd: TestObject, release: string): TestObject {
  const group = (crd.spec as { group: string }).group;
  if (!group.endsWith('.fluxcd.io')) return crd;
  return {
    ...crd,
    metadata: { ...crd.metadata, labels: { ...crd.metadata.labels, ...fluxInstallLabels(release) } },
  };
}

/** The CRDs of a set, labelled as `flux install` of its release labels them. */
export function readCrds(set: CrdSet): TestObject[] {
  const crds: TestObject[] = [];
  for (const file of readdirSync(set.dir).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join(set.dir, file), 'utf8'))) {
      const obj = doc.toJS() as TestObject | null;
      if (obj?.kind !== 'CustomResourceDefinition') continue;
      // Some generated files carry an empty status; the API server owns it.
      const { status, ...crd } = obj;
      void status;
      crds.push(labelledAsInstalled(crd, set.release));
    }
  }
  return crds;
}

/**
 * Creates or replaces CRDs (server-side apply, as flux install does) and waits until each is established
 * and its storage version answers a list.
 */
export async function installCrds(api: TestApi, crds: TestObject[]): Promise<void> {
  await Promise.all(crds.map((crd) => api.apply(crd)));
  for (const crd of crds) {
    await until(`CRD ${crd.metadata.name} established`, 30_000, async () => {
      const live = await api.get(
        'apiextensions.k8s.io/v1',
        'CustomResourceDefinition',
        undefined,
        crd.metadata.name,
      );
      const conds = (live.status?.conditions ?? []) as { type: string; status: string }[];
      return conds.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    });
  }
  // Established is not yet served: wait until every CRD's storage version answers a list.
  for (const crd of crds) {
    const spec = crd.spec as {
      group: string;
      versions: { name: string; storage: boolean }[];
      names: { kind: string };
    };
    const version = spec.versions.find((v) => v.storage)!.name;
    await until(`${spec.names.kind} served`, 30_000, async () => {
      await api.list(`${spec.group}/${version}`, spec.names.kind);
      return true;
    });
  }
}

async function seedRbac(api: TestApi): Promise<void> {
  for (const name of ['flux-system', RESTRICTED_NAMESPACE]) {
    await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  await api.apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'read-everything', namespace: RESTRICTED_NAMESPACE },
    rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }],
  });
  await api.apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'jane-reads', namespace: RESTRICTED_NAMESPACE },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-everything' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: RESTRICTED_USER }],
  });
}

/** What tests are given of a running cluster: its plain data, without the functions that control it. */
export function clusterInfo(c: RunningCluster): ClusterInfo {
  const { server, caFile, kubeconfig, adminToken, restrictedToken, dir, fluxRelease, etcd, pods } = c;
  return {
    server,
    caFile,
    kubeconfig,
    adminToken,
    restrictedToken,
    dir,
    fluxRelease,
    etcd,
    ...(pods ? { pods } : {}),
  };
}

export async function startTestCluster(options: ClusterOptions = {}): Promise<RunningCluster> {
  const bin = binaries(options.pods);
  const dir = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-cluster-'));
  mkdirSync(join(dir, 'certs'));
  const [etcdClient, etcdPeer, apiPort] = (await freePorts(3)) as [number, number, number];
  const adminToken = randomBytes(16).toString('hex');
  const restrictedToken = randomBytes(16).toString('hex');
  writeFileSync(
    join(dir, 'tokens.csv'),
    `${adminToken},${ADMIN_USER},admin-uid,system:masters\n${restrictedToken},${RESTRICTED_USER},jane-uid\n`,
  );
  const certificates = clientCertificates(CERT_USER);
  writeFileSync(join(dir, 'client-ca.crt'), certificates.caPem);
  writeFileSync(join(dir, 'admin-client.crt'), certificates.certPem);
  writeFileSync(join(dir, 'admin-client.key'), certificates.keyPem);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));

  const etcdUrl = `http://127.0.0.1:${etcdClient}`;
  const peerUrl = `http://127.0.0.1:${etcdPeer}`;
  const processes = [
    {
      name: 'etcd',
      command: bin.etcd,
      log: join(dir, 'etcd.log'),
      args: [
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=default=${peerUrl}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
    },
    {
      name: 'kube-apiserver',
      command: bin.kubeApiserver,
      log: join(dir, 'kube-apiserver.log'),
      args: [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${join(dir, 'certs')}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        `--client-ca-file=${join(dir, 'client-ca.crt')}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc',
        `--service-account-key-file=${join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--disable-admission-plugins=ServiceAccount',
        '--enable-priority-and-fairness=false',
        // Nodes are reached at their address (kwok's node is 127.0.0.1), not at a host name.
        '--kubelet-preferred-address-types=InternalIP',
      ],
    },
  ];
  const keep = process.env.FLUX_OPS_MCP_KEEP_CLUSTER_DIR === '1';
  const supervisor: ChildProcess = spawn(
    process.execPath,
    [join(HERE, 'supervisor.mjs'), JSON.stringify({ processes, removeDir: keep ? undefined : dir })],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let exited = false;
  supervisor.on('exit', () => (exited = true));
  // The supervisor answers each process command with one line, in order; it says when a process that may
  // exit did.
  const answers: ((line: string) => void)[] = [];
  const exits = new Map<string, () => void>();
  createInterface({ input: supervisor.stdout! }).on('line', (line) => {
    if (line.startsWith('exited ')) exits.get(line.split(' ')[1]!)?.();
    else if (line !== 'started' && !line.startsWith('pids ')) answers.shift()?.(line);
  });
  const command = (line: string, expect: string): Promise<void> =>
    new Promise((resolve, reject) => {
      answers.push((answer) =>
        answer.startsWith(expect) ? resolve() : reject(new Error(`test cluster: ${line}: ${answer}`)),
      );
      supervisor.stdin?.write(`${line}\n`);
    });
  const add = (proc: SupervisedProcess & { mayExit?: boolean }) =>
    command(`add ${JSON.stringify(proc)}`, `added ${proc.name} `);
  const stop = async () => {
    if (exited) return;
    const done = new Promise((r) => supervisor.once('exit', r));
    supervisor.stdin?.write('stop\n');
    supervisor.stdin?.end();
    await done;
  };

  try {
    const server = `https://127.0.0.1:${apiPort}`;
    const caFile = join(dir, 'certs', 'apiserver.crt');
    await until('the API server certificate', 60_000, async () => (existsSync(caFile) ? true : undefined));
    const api = new TestApi(server, adminToken, caFile);
    const ready = () =>
      until('the API server to be ready', 60_000, async () => {
        if (exited) throw new Error(`the cluster stopped; logs in ${dir}`);
        const probe = new TestApi(server, adminToken, caFile);
        try {
          return (await probe.raw('/readyz')).status === 200 ? true : undefined;
        } finally {
          await probe.close();
        }
      });
    await ready();
    if (!options.withoutCrds) {
      await installCrds(
        api,
        readCrds({ dir: options.crds?.dir ?? bin.crds, release: options.crds?.release ?? bin.fluxRelease }),
      );
    }
    await seedRbac(api);
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml({ server, caFile, adminToken, restrictedToken }));
    if (options.pods && bin.pods) {
      await startPods(api, options.pods, bin.pods, {
        dir,
        kubeconfig,
        add,
        exited: (name) => new Promise<void>((r) => exits.set(name, r)),
        stopped: () => exited,
      });
    }
    await api.close();
    return {
      server,
      caFile,
      kubeconfig,
      adminToken,
      restrictedToken,
      dir,
      fluxRelease: options.crds?.release ?? bin.fluxRelease,
      etcd: etcdUrl,
      ...(options.pods ? { pods: { mode: options.pods, node: NODE_NAME } } : {}),
      stop,
      stopApiServer: (how = 'graceful') =>
        command(
          `${how === 'kill' ? 'kill' : 'stop'} kube-apiserver`,
          `${how === 'kill' ? 'killed' : 'stopped'} kube-apiserver`,
        ),
      startApiServer: async () => {
        await command('start kube-apiserver', 'started kube-apiserver');
        await ready();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Starts what runs Pods once the API server serves: kwok's CRDs, the node, kwok (again on another port if
 * another process took its port first), then kube-controller-manager and kube-scheduler for `workloads`.
 * Returns once kwok has made the node Ready.
 */
async function startPods(
  api: TestApi,
  mode: PodsMode,
  bin: PodsBinaries,
  o: {
    dir: string;
    kubeconfig: string;
    add: (proc: SupervisedProcess & { mayExit?: boolean }) => Promise<void>;
    exited: (name: string) => Promise<void>;
    stopped: () => boolean;
  },
): Promise<void> {
  await installCrds(api, readCrdFiles(kwokCrdFiles(bin)));
  await api.apply(nodeObject());
  for (let attempt = 1; ; attempt++) {
    const [port] = (await freePorts(1)) as [number];
    const proc = kwokProcess(bin, {
      kubeconfig: o.kubeconfig,
      dir: o.dir,
      port,
      certFile: join(o.dir, 'certs', 'apiserver.crt'),
      keyFile: join(o.dir, 'certs', 'apiserver.key'),
    });
    let gone = false;
    void o.exited('kwok').then(() => (gone = true));
    await o.add({ ...proc, mayExit: true });
    const ready = await until('kwok to make the node Ready', 60_000, async () => {
      if (gone || o.stopped()) return false;
      const node = await api.get('v1', 'Node', undefined, NODE_NAME);
      const conditions = (node.status?.conditions ?? []) as { type: string; status: string }[];
      return conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
    });
    if (ready) {
      // From now on an exit is a failure of the run's Pods: say so where the run's output goes.
      void o.exited('kwok').then(() => {
        if (!o.stopped())
          process.stderr.write(`test cluster: kwok exited; Pods no longer change; see ${proc.log}\n`);
      });
      break;
    }
    if (o.stopped() || attempt >= 3) throw new Error(`kwok did not start; see ${proc.log}`);
    process.stderr.write(`test cluster: kwok exited (port ${port} taken?), starting it again\n`);
  }
  if (mode === 'workloads') {
    for (const proc of controlPlaneProcesses(bin, {
      kubeconfig: o.kubeconfig,
      dir: o.dir,
      serviceAccountKey: join(o.dir, 'sa.key'),
      rootCa: join(o.dir, 'certs', 'apiserver.crt'),
    })) {
      await o.add(proc);
    }
  }
}
