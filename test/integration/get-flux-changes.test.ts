// get_flux_changes over MCP against a real API server: Flux objects with the statuses and events the
// controllers write (reasons, messages and revision annotations of the Flux 2.9 controllers), a source in
// another namespace, a Helm release rolled back outside helm-controller; the answer checked by the SDK
// client against the published output schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { fluxEvent } from '../support/events.js';
import { failedStatus, gitRepository, kustomization, readyStatus, V } from '../support/flux.js';

let api: TestApi;
let server: ServerHandle;
let ns: string;
let sourceNs: string;

const A = '3b0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b';
const B = 'efe2a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8';
const ago = (minutes: number) =>
  new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
const repo = () => ({ apiVersion: V.source, kind: 'GitRepository', name: 'repo', namespace: sourceNs });
const web = () => ({ apiVersion: V.kustomization, kind: 'Kustomization', name: 'web', namespace: ns });
/** The rows of an answer as `object change`, leaving out the objects this test created a moment ago. */
const rowsOf = (structured: Record<string, unknown>) =>
  (structured.changes as string[][]).filter((r) => r[2] !== 'created').map((r) => `${r[1]} ${r[2]}`);

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'changes');
  sourceNs = await testNamespace(api, 'changes-src');
  const source = await api.apply(gitRepository('repo', sourceNs));
  await api.patchStatus(
    source,
    readyStatus(1, {
      artifact: {
        revision: `main@sha1:${B}`,
        lastUpdateTime: ago(3),
        digest: 'sha256:1',
        path: 'x',
        url: 'x',
      },
    }),
  );
  const ks = await api.apply(
    kustomization('web', ns, {
      spec: { sourceRef: { kind: 'GitRepository', name: 'repo', namespace: sourceNs } },
    }),
  );
  await api.patchStatus(
    ks,
    failedStatus(
      1,
      'HealthCheckFailed',
      'health check failed after 30s: timeout waiting for: [Deployment/apps/web]',
      {
        since: ago(2),
        lastAppliedRevision: `main@sha1:${B}`,
        history: [
          {
            digest: 'sha256:b',
            firstReconciled: ago(2),
            lastReconciled: ago(2),
            lastReconciledDuration: '30s',
            lastReconciledStatus: 'HealthCheckFailed',
            metadata: { revision: `main@sha1:${B}` },
            totalReconciliations: 1,
          },
          {
            digest: 'sha256:a',
            firstReconciled: ago(240),
            lastReconciled: ago(10),
            lastReconciledDuration: '1s',
            lastReconciledStatus: 'ReconciliationSucceeded',
            metadata: { revision: `main@sha1:${A}` },
            totalReconciliations: 9,
          },
        ],
      },
    ),
  );
  const held = await api.apply(
    kustomization('held', ns, {
      annotations: {
        'flux-ops-mcp.io/suspended-by': 'jane',
        'flux-ops-mcp.io/suspended-at': ago(20),
        'flux-ops-mcp.io/suspend-reason': 'INC-9 database migration',
      },
      spec: { suspend: true },
    }),
  );
  await api.patchStatus(held, readyStatus(1));
  for (const e of [
    fluxEvent(repo(), {
      reason: 'NewArtifact',
      message: "stored artifact for commit 'bump web to 1.4'",
      minutesAgo: 3,
      revision: `main@sha1:${B}`,
      component: 'source-controller',
    }),
    fluxEvent(repo(), {
      reason: 'NewArtifact',
      message: "stored artifact for commit 'first'",
      minutesAgo: 40,
      revision: `main@sha1:${A}`,
      component: 'source-controller',
    }),
    fluxEvent(web(), {
      reason: 'Progressing',
      message: 'Deployment/apps/web configured',
      minutesAgo: 2.9,
      revision: `main@sha1:${B}`,
    }),
    fluxEvent(web(), {
      type: 'Warning',
      reason: 'HealthCheckFailed',
      message: 'health check failed after 30s: timeout waiting for: [Deployment/apps/web]',
      minutesAgo: 2,
      count: 3,
      revision: `main@sha1:${B}`,
    }),
  ])
    await api.create(e);
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

describe('get_flux_changes', () => {
  it('lists the changes of a namespace and of the source its objects read elsewhere, newest first', async () => {
    const { result, structured, text } = await callTool(server.client, 'get_flux_changes', { namespace: ns });
    expect(result.isError, text).toBeFalsy();
    expect(text).toMatch(
      new RegExp(
        `^Changes to Flux objects in namespace ${ns} \\(and 1 object on their paths elsewhere\\) in context`,
      ),
    );
    expect(rowsOf(structured)).toEqual([
      `Kustomization ${ns}/web failing`,
      `Kustomization ${ns}/web objects`,
      `GitRepository ${sourceNs}/repo revision`,
      `Kustomization ${ns}/held suspended`,
      `GitRepository ${sourceNs}/repo revision`,
    ]);
    expect(text).toContain(
      `Kustomization ${ns}/held  suspended by jane: "INC-9 database migration"  (annotation)`,
    );
  });

  it('puts the failure first, preceded by the commit the source moved to', async () => {
    const { text, structured } = await callTool(server.client, 'get_flux_changes', { namespace: ns });
    expect(structured.failing).toEqual([
      expect.objectContaining({
        object: `Kustomization ${ns}/web`,
        detail: expect.stringMatching(
          /^failing \(HealthCheckFailed\) at main@sha1:efe2a1b2 \(x3, last .*\): health check/,
        ),
        preceded: [
          expect.arrayContaining([`Kustomization ${ns}/web`, 'objects']),
          expect.arrayContaining([
            `GitRepository ${sourceNs}/repo`,
            'revision',
            'new revision main@sha1:3b0a1c2d -> main@sha1:efe2a1b2 "bump web to 1.4"',
          ]),
          expect.arrayContaining([
            `GitRepository ${sourceNs}/repo`,
            'revision',
            'new revision main@sha1:3b0a1c2d "first"',
          ]),
        ],
      }),
    ]);
    expect(text).toContain('(preceded by, not caused by)');
  });

  it('narrows to one object and its path', async () => {
    const { structured, text } = await callTool(server.client, 'get_flux_changes', {
      kind: 'Kustomization',
      name: 'web',
      namespace: ns,
    });
    expect(text).toMatch(
      new RegExp(`^Changes to Kustomization ${ns}/web and its path \\(GitRepository ${sourceNs}/repo\\)`),
    );
    expect(new Set((structured.changes as string[][]).map((r) => r[1]))).toEqual(
      new Set([`Kustomization ${ns}/web`, `GitRepository ${sourceNs}/repo`]),
    );
  });

  it('takes a window given as times, and says when it reaches past the events kept', async () => {
    const { structured, text } = await callTool(server.client, 'get_flux_changes', {
      namespace: ns,
      since: ago(180),
      until: ago(30),
    });
    // Only the older commit: its event, and the history of the Kustomization that applied it.
    expect(rowsOf(structured)).toEqual([`GitRepository ${sourceNs}/repo revision`]);
    expect(text).toContain('The window reaches past the events the API server keeps');
  });

  it('refuses a window that ends before it starts, and a name without a kind', async () => {
    const backwards = await callTool(server.client, 'get_flux_changes', { since: '10m', until: '1h' });
    expect(backwards.result.isError).toBe(true);
    expect(backwards.text).toBe('since must be before until');
    const nameOnly = await callTool(server.client, 'get_flux_changes', { name: 'web', namespace: ns });
    expect(nameOnly.result.isError).toBe(true);
    expect(nameOnly.text).toContain('give the kind of the object as well as its name');
  });

  it('says which object it cannot find', async () => {
    const { result, text } = await callTool(server.client, 'get_flux_changes', {
      kind: 'Kustomization',
      name: 'nope',
      namespace: ns,
    });
    expect(result.isError).toBe(true);
    expect(text).toContain(`Kustomization ${ns}/nope not found`);
  });
});
