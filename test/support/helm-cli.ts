// The real Helm CLIs (built from their Go modules by test/cluster/build-helm.sh) against the test cluster,
// a chart of objects the API server alone can hold (no controller manager: ConfigMaps, a Deployment, a
// Service), and what a release looks like afterwards: its live objects and its storage records, with what is
// meant to differ between two runs (times, uids, allocated IPs) taken out.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runBuildScript } from '../cluster/build-script.js';
import type { TestApi, TestObject } from './api.js';

export interface HelmClis {
  helm4: string;
  helm3: string;
  /** Kubernetes' strategic merge, for test/integration/strategic-merge-vs-kubernetes.test.ts. */
  strategicMergeOracle: string;
}

/** Builds the Helm CLIs and the strategic merge oracle once (several minutes), then finds them in the cache. */
export function helmClis(): HelmClis {
  const vars = runBuildScript('build-helm.sh');
  return { helm4: vars.HELM4!, helm3: vars.HELM3!, strategicMergeOracle: vars.SMP_ORACLE! };
}

export class HelmCli {
  private readonly home = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-helm-'));

  constructor(
    readonly binary: string,
    private readonly kubeconfig: string,
  ) {}

  /** Runs helm; returns what it printed. `expectFailure` runs a command meant to fail. */
  run(args: string[], expectFailure = false): string {
    const out = spawnSync(
      this.binary,
      [...args, '--kubeconfig', this.kubeconfig, '--kube-context', 'admin'],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          HOME: this.home,
          HELM_CACHE_HOME: join(this.home, 'cache'),
          HELM_CONFIG_HOME: join(this.home, 'config'),
          HELM_DATA_HOME: join(this.home, 'data'),
        },
      },
    );
    const text = `${out.stdout}${out.stderr}`;
    if ((out.status === 0) === expectFailure)
      throw new Error(
        `helm ${args.join(' ')} ${expectFailure ? 'succeeded' : `failed (${out.status})`}:\n${text}`,
      );
    return text;
  }
}

const TEMPLATES: Record<string, string> = {
  'settings.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
  labels:
    app: demo
    {{- with .Values.tier }}
    tier: {{ . }}
    {{- end }}
data:
  greeting: {{ .Values.greeting | quote }}
  {{- if .Values.extra }}
  extra: "yes"
  {{- end }}
`,
  'extra.yaml': `{{- if .Values.extra }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-extra
data:
  a: "1"
{{- end }}
`,
  'kept.yaml': `{{- if .Values.keep }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-kept
  annotations:
    helm.sh/resource-policy: keep
data:
  revision: {{ .Values.greeting | quote }}
{{- end }}
`,
  'secret.yaml': `apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-credentials
stringData:
  password: {{ .Values.password | quote }}
`,
  'deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app: demo
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app: demo
  strategy:
    {{- if .Values.recreate }}
    type: Recreate
    {{- else }}
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
    {{- end }}
  template:
    metadata:
      labels:
        app: demo
    spec:
      containers:
        - name: app
          image: {{ .Values.image }}
          {{- with .Values.env }}
          env:
            {{- range $k, $v := . }}
            - name: {{ $k }}
              value: {{ $v | quote }}
            {{- end }}
          {{- end }}
          ports:
            - name: http
              containerPort: 8080
            {{- if .Values.metrics }}
            - name: metrics
              containerPort: 9090
            {{- end }}
          volumeMounts:
            - name: config
              mountPath: /etc/demo
      volumes:
        - name: config
          configMap:
            name: {{ .Release.Name }}-settings
`,
  'service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    app: demo
  ports:
    - name: http
      port: 80
      targetPort: http
    {{- if .Values.metrics }}
    - name: metrics
      port: 9090
      targetPort: metrics
    {{- end }}
`,
  'bad.yaml': `{{- if .Values.bad }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: Bad_Name
data: {}
{{- end }}
`,
  'hook.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-hook
  annotations:
    helm.sh/hook: post-install,post-upgrade{{ if .Values.rollbackHook }},pre-rollback{{ end }}
    helm.sh/hook-delete-policy: before-hook-creation
data:
  greeting: {{ .Values.greeting | quote }}
`,
  'NOTES.txt': `Greeting: {{ .Values.greeting }}
`,
};

const VALUES = `greeting: hello
image: nginx:1.0
replicas: 1
password: s3cret
env: {}
tier: ""
extra: false
keep: false
recreate: false
metrics: false
bad: false
rollbackHook: false
`;

/** The demo chart at each version, written once per test file (Helm stores file times in its records). */
export function writeCharts(versions: string[]): Record<string, string> {
  const root = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-charts-'));
  const dirs: Record<string, string> = {};
  for (const version of versions) {
    const dir = join(root, version);
    mkdirSync(join(dir, 'templates'), { recursive: true });
    writeFileSync(
      join(dir, 'Chart.yaml'),
      `apiVersion: v2\nname: demo\nversion: ${version}\nappVersion: "${version}"\n`,
    );
    writeFileSync(join(dir, 'values.yaml'), VALUES);
    for (const [name, text] of Object.entries(TEMPLATES)) writeFileSync(join(dir, 'templates', name), text);
    dirs[version] = dir;
  }
  return dirs;
}

/** `--set` arguments from a values object (strings, numbers, booleans, one level of maps). */
export function setArgs(values: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    if (v && typeof v === 'object')
      for (const [k2, v2] of Object.entries(v)) out.push('--set-string', `${k}.${k2}=${String(v2)}`);
    else out.push(typeof v === 'string' ? '--set-string' : '--set', `${k}=${String(v)}`);
  }
  return out;
}

/** The release JSON of a storage Secret. */
export function decodeRecord(secret: TestObject): Record<string, unknown> {
  const data = (secret.data as Record<string, string>).release!;
  let bytes = Buffer.from(Buffer.from(data, 'base64').toString('utf8'), 'base64');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
}

const TIME = '<time>';

/** Times, which two runs never share, replaced by a marker wherever a record keeps one. */
function withoutTimes(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutTimes(v));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutTimes(v, k)]));
  const timeKeys = ['first_deployed', 'last_deployed', 'started_at', 'completed_at', 'modtime'];
  if (timeKeys.includes(key) && typeof value === 'string' && value !== '') return TIME;
  return value;
}

/** A live object as two runs can compare it: no uid, versions, creation time, field times, allocated IPs. */
function comparable(kind: string, obj: TestObject): unknown {
  const { uid: _u, resourceVersion: _r, creationTimestamp: _c, managedFields, ...meta } = obj.metadata;
  // The server orders entries by operation, then time, then manager: with times aside, by manager.
  const fields = (managedFields as Record<string, unknown>[] | undefined)
    ?.map(({ time: _t, ...rest }) => rest)
    .sort((a, b) =>
      JSON.stringify([a.operation, a.manager, a.apiVersion]).localeCompare(
        JSON.stringify([b.operation, b.manager, b.apiVersion]),
      ),
    );
  const copy: Record<string, unknown> = { ...obj, metadata: { ...meta, managedFields: fields } };
  if (kind === 'Service') {
    const { clusterIP: _ip, clusterIPs: _ips, ...spec } = obj.spec as Record<string, unknown>;
    copy.spec = spec;
  }
  return copy;
}

export interface ReleaseState {
  objects: Record<string, unknown>;
  records: Record<string, unknown>;
}

/** Every object of the namespace the chart can make, and every storage record of the release, comparable. */
export async function releaseState(api: TestApi, ns: string): Promise<ReleaseState> {
  const objects: Record<string, unknown> = {};
  for (const [apiVersion, kind] of [
    ['v1', 'ConfigMap'],
    ['v1', 'Secret'],
    ['apps/v1', 'Deployment'],
    ['v1', 'Service'],
  ] as const) {
    for (const obj of await api.list(apiVersion, kind, ns)) {
      if (obj.type === 'helm.sh/release.v1') continue;
      objects[`${kind}/${obj.metadata.name}`] = comparable(kind, obj);
    }
  }
  const records: Record<string, unknown> = {};
  for (const secret of await api.list('v1', 'Secret', ns)) {
    if (secret.type !== 'helm.sh/release.v1') continue;
    const labels = Object.fromEntries(
      Object.entries(secret.metadata.labels ?? {}).map(([k, v]) => [
        k,
        k === 'createdAt' || k === 'modifiedAt' ? TIME : v,
      ]),
    );
    records[secret.metadata.name] = { labels, release: withoutTimes(decodeRecord(secret)) };
  }
  return { objects, records };
}
