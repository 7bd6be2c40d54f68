// The fleet view of get_flux_status and get_flux_instance across two API servers, several users, and
// contexts that cannot answer: a bad token, a closed port, a server that never answers, a name the
// kubeconfig does not have. Each is a line of the answer; the call itself succeeds.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type RunningCluster } from '../cluster/cluster.js';
import { TestApi } from '../support/api.js';
import { adminApi, callTool, cluster, fluxRelease, startServer, type ServerHandle } from '../support/env.js';
import { fluxEvent } from '../support/events.js';
import {
  failedStatus,
  fluxInstallLabels,
  gitRepository,
  kustomization,
  readyStatus,
} from '../support/flux.js';
import { deployment } from '../support/workloads.js';

const NS = `fleet-${Math.random().toString(16).slice(2, 8)}`;
let second: RunningCluster;
let apiA: TestApi;
let apiB: TestApi;
let server: ServerHandle;
let silent: Server;
const sockets: Socket[] = [];
let kubeconfig: string;

interface Cluster {
  context: string;
  state: string;
  error?: string;
  fluxVersion?: string;
  totals?: { total: number; failing: number; suspended: number };
  failing?: { name: string }[];
  omitted?: { failing: number };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function writeKubeconfig(silentPort: number, closed: number): string {
  const a = cluster();
  const ca = (file: string) => readFileSync(file).toString('base64');
  const entry = (name: string, server: string, caFile?: string) =>
    `- name: ${name}\n  cluster:\n    server: ${server}\n${caFile ? `    certificate-authority-data: ${ca(caFile)}\n` : '    insecure-skip-tls-verify: true\n'}`;
  const user = (name: string, token: string) => `- name: ${name}\n  user:\n    token: ${token}\n`;
  const context = (name: string, c: string, u: string) =>
    `- name: ${name}\n  context:\n    cluster: ${c}\n    user: ${u}\n`;
  const text = `apiVersion: v1
kind: Config
clusters:
${entry('a', a.server, a.caFile)}${entry('b', second.server, second.caFile)}${entry('closed', `https://127.0.0.1:${closed}`)}${entry('silent', `https://127.0.0.1:${silentPort}`)}users:
${user('a-admin', a.adminToken)}${user('a-jane', a.restrictedToken)}${user('b-admin', second.adminToken)}${user('b-stolen', 'not-a-token-the-server-knows')}contexts:
${context('a-admin', 'a', 'a-admin')}${context('a-jane', 'a', 'a-jane')}${context('b-admin', 'b', 'b-admin')}${context('b-bad-token', 'b', 'b-stolen')}${context('closed', 'closed', 'a-admin')}${context('silent', 'silent', 'a-admin')}current-context: a-admin
`;
  const file = join(mkdtempSync(join(tmpdir(), 'flux-ops-mcp-fleet-')), 'kubeconfig');
  writeFileSync(file, text);
  return file;
}

async function seed(api: TestApi, failing: string[], suspended: string[]): Promise<void> {
  await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  for (const name of failing) {
    const ks = await api.apply(kustomization(name, NS));
    await api.patchStatus(ks, failedStatus(1, 'HealthCheckFailed', `health check failed for ${name}`));
  }
  for (const name of suspended) {
    const ks = await api.apply(kustomization(name, NS, { spec: { suspend: true } }));
    await api.patchStatus(ks, readyStatus(1));
  }
  const ok = await api.apply(kustomization('fine', NS));
  await api.patchStatus(ok, readyStatus(1));
  await api.apply(
    deployment('source-controller', NS, {
      image: 'ghcr.io/fluxcd/source-controller:v1.9.5',
      labels: fluxInstallLabels(fluxRelease()),
    }),
  );
}

beforeAll(async () => {
  second = await startTestCluster();
  apiA = adminApi();
  apiB = new TestApi(second.server, second.adminToken, second.caFile);
  await seed(apiA, ['alpha', 'beta', 'gamma', 'delta'], ['held']);
  await seed(apiB, ['omega'], []);
  silent = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  kubeconfig = writeKubeconfig((silent.address() as { port: number }).port, await closedPort());
  server = await startServer([], { kubeconfig });
}, 180_000);

afterAll(async () => {
  await server?.close();
  for (const s of sockets) s.destroy();
  silent?.close();
  await apiA?.close();
  await apiB?.close();
  await second?.stop();
});

const ANSWERING = ['a-admin', 'b-admin', 'a-jane', 'b-bad-token', 'closed', 'nowhere'];

describe('get_flux_status with contexts', () => {
  it('answers for every context, each in one state, and the call succeeds', async () => {
    const call = await callTool(server.client, 'get_flux_status', { namespace: NS, contexts: ANSWERING });
    expect(Boolean(call.result.isError), call.text).toBe(false);
    const clusters = call.structured.clusters as Cluster[];
    expect(clusters.map((c) => [c.context, c.state])).toEqual([
      ['a-admin', 'ok'],
      ['b-admin', 'ok'],
      ['a-jane', 'forbidden'],
      ['b-bad-token', 'unauthorized'],
      ['closed', 'unreachable'],
      ['nowhere', 'not-usable'],
    ]);
    expect(call.structured.fleet).toMatchObject({ contexts: 6, answered: 2, withProblems: 2 });
  });

  it('gives one summary line per cluster first, with its Flux version and counts', async () => {
    const { text } = await callTool(server.client, 'get_flux_status', { namespace: NS, contexts: ANSWERING });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^Flux across 6 contexts in [0-9.]+m?s: 2 answered, 4 did not; 2 with failing, suspended or stale objects\\. Flux versions: ${fluxRelease().replaceAll('.', '\\.')} \\(2\\)\\.$`,
      ),
    );
    expect(lines.slice(1, 7)).toEqual([
      `  a-admin      ${fluxRelease()}  6 objects: 1 ready, 4 failing, 1 suspended`,
      `  b-admin      ${fluxRelease()}  2 objects: 1 ready, 1 failing`,
      expect.stringMatching(/^ {2}a-jane {7}forbidden: user jane cannot list /),
      expect.stringMatching(/^ {2}b-bad-token {2}unauthorized: the API server of /),
      expect.stringMatching(/^ {2}closed {7}cluster unreachable: https:\/\/127\.0\.0\.1:\d+: /),
      expect.stringMatching(/^ {2}nowhere {6}not-usable: context nowhere is not in the kubeconfig/),
    ]);
  });

  it('then lists the problems by cluster, bounded per cluster by limit', async () => {
    const { text, structured } = await callTool(server.client, 'get_flux_status', {
      namespace: NS,
      contexts: ['a-admin', 'b-admin'],
      limit: 2,
    });
    const a = (structured.clusters as Cluster[])[0]!;
    expect(a.failing).toHaveLength(2);
    expect(a.omitted?.failing).toBe(2);
    const failing = text.slice(text.indexOf('Failing (newest first), by cluster:'));
    expect(failing).toMatch(
      new RegExp(
        `^Failing \\(newest first\\), by cluster:\\n {2}a-admin:\\n {4}Kustomization ${NS}/\\w+ {2}HealthCheckFailed[^\\n]*\\n {6}health check failed for \\w+\\n {4}Kustomization ${NS}/\\w+[^\\n]*\\n[^\\n]*\\n {4}2 more failing: get_flux_status context=a-admin\\n {2}b-admin:\\n {4}Kustomization ${NS}/omega`,
      ),
    );
    expect(text).toContain(`Suspended, by cluster:\n  a-admin:\n    Kustomization ${NS}/held`);
  });

  it('reports a server that accepts connections but never answers as one timeout line', async () => {
    const call = await callTool(
      server.client,
      'get_flux_status',
      { namespace: NS, contexts: ['silent', 'b-admin'] },
      { timeout: 60_000 },
    );
    const clusters = call.structured.clusters as Cluster[];
    expect(clusters.map((c) => c.state)).toEqual(['timeout', 'ok']);
    // undici's 10 s connect timeout or the 15 s per-cluster deadline, whichever comes first.
    expect(clusters[0]!.error).toMatch(/^timeout: (cluster timed out|no answer within 15s)/);
  }, 60_000);

  it('takes all for every context the server may use', async () => {
    const fenced = await startServer(['--allowed-contexts', 'a-admin,b-admin,closed'], { kubeconfig });
    try {
      const { structured } = await callTool(fenced.client, 'get_flux_status', {
        namespace: NS,
        contexts: 'all',
      });
      expect((structured.clusters as Cluster[]).map((c) => [c.context, c.state])).toEqual([
        ['a-admin', 'ok'],
        ['b-admin', 'ok'],
        ['closed', 'unreachable'],
      ]);
    } finally {
      await fenced.close();
    }
  });

  it('refuses context and contexts together', async () => {
    const call = await callTool(server.client, 'get_flux_status', { context: 'a-admin', contexts: 'all' });
    expect(call.result.isError).toBe(true);
    expect(call.text).toBe('give context or contexts, not both');
  });
});

describe('get_flux_instance with contexts', () => {
  it('gives each cluster its Flux and Kubernetes versions and controllers, the silent ones one line each', async () => {
    const { text, structured } = await callTool(server.client, 'get_flux_instance', {
      namespace: NS,
      contexts: ['a-admin', 'b-admin', 'closed'],
    });
    expect((structured.clusters as Cluster[]).map((c) => [c.context, c.state, c.fluxVersion])).toEqual([
      ['a-admin', 'ok', fluxRelease()],
      ['b-admin', 'ok', fluxRelease()],
      ['closed', 'unreachable', undefined],
    ]);
    // Cluster a is shared with other test files, whose FluxInstances may be failing: a problem of a.
    expect(text.split('\n').slice(1, 4)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^ {2}a-admin {2}Flux ${fluxRelease()} {2}Kubernetes v1\\.\\d+\\.\\d+ {2}1/1 controllers ready {2}`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^ {2}b-admin {2}Flux ${fluxRelease()} {2}Kubernetes v1\\.\\d+\\.\\d+ {2}1/1 controllers ready {2}no problems$`,
        ),
      ),
      expect.stringMatching(/^ {2}closed {3}cluster unreachable: /),
    ]);
  });
});

describe('get_flux_changes with contexts', () => {
  const involved = (kind: string, name: string) => ({
    apiVersion: kind === 'GitRepository' ? 'source.toolkit.fluxcd.io/v1' : 'kustomize.toolkit.fluxcd.io/v1',
    kind,
    name,
    namespace: NS,
  });

  beforeAll(async () => {
    // The same commit reaches both clusters, and breaks alpha in cluster a only.
    for (const [api, minutes] of [
      [apiA, 9],
      [apiB, 5],
    ] as const) {
      await api.apply(gitRepository('repo', NS));
      await api.create(
        fluxEvent(involved('GitRepository', 'repo'), {
          reason: 'NewArtifact',
          message: "stored artifact for commit 'roll out 2.0'",
          minutesAgo: minutes,
          revision: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
          component: 'source-controller',
        }),
      );
    }
    await apiA.create(
      fluxEvent(involved('Kustomization', 'alpha'), {
        type: 'Warning',
        reason: 'HealthCheckFailed',
        message: 'health check failed for alpha',
        minutesAgo: 8,
        revision: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
      }),
    );
  });

  it('merges the clusters into one timeline whose lines name their cluster, an unreachable cluster a line', async () => {
    const { result, text, structured } = await callTool(server.client, 'get_flux_changes', {
      namespace: NS,
      kind: 'GitRepository',
      since: '30m',
      contexts: ['a-admin', 'b-admin', 'closed'],
    });
    expect(result.isError, text).toBeFalsy();
    expect(
      (structured.clusters as { context: string; state: string }[]).map((c) => [c.context, c.state]),
    ).toEqual([
      ['a-admin', 'ok'],
      ['b-admin', 'ok'],
      ['closed', 'unreachable'],
    ]);
    expect(structured.cols).toEqual(['at', 'context', 'object', 'change', 'detail', 'origin']);
    const commits = (structured.changes as string[][]).filter(
      (r) => r[2] === `GitRepository ${NS}/repo` && r[3] === 'revision',
    );
    // Newest first: cluster b got the commit 4 minutes after cluster a.
    expect(
      commits.map((r) => r[1]),
      text,
    ).toEqual(['b-admin', 'a-admin']);
    expect(text).toMatch(/\n {2}closed {3,}cluster unreachable: /);
  });

  it('puts the failure of one cluster with what preceded it in that cluster', async () => {
    const { structured } = await callTool(server.client, 'get_flux_changes', {
      namespace: NS,
      since: '30m',
      contexts: ['a-admin', 'b-admin'],
    });
    const failing = structured.failing as { object: string; preceded: string[][] }[];
    const alpha = failing.find((f) => f.object === `a-admin Kustomization ${NS}/alpha`)!;
    expect(alpha.preceded).toContainEqual([
      expect.any(String),
      `GitRepository ${NS}/repo`,
      'revision',
      'new revision main@sha1:01234567 "roll out 2.0"',
    ]);
  });
});
