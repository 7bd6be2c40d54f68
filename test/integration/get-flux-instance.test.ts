import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTRICTED_NAMESPACE } from '../cluster/cluster.js';
import type { TestApi } from '../support/api.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { readyStatus, V } from '../support/flux.js';
import { deployment } from '../support/workloads.js';

const FLUX = (version: string) => ({
  'app.kubernetes.io/part-of': 'flux',
  'app.kubernetes.io/version': version,
});
const CRD = 'apiextensions.k8s.io/v1';
const BUCKETS_CRD = 'buckets.source.toolkit.fluxcd.io';

let api: TestApi;
let server: ServerHandle;
let ns: string;

interface Controller {
  name: string;
  ready: boolean;
  message: string;
  images: { name: string; version: string }[];
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'instance');
  await api.apply(
    deployment('source-controller', ns, {
      image: 'ghcr.io/fluxcd/source-controller:v1.7.0',
      labels: FLUX('v2.7.0'),
    }),
  );
  await api.apply(
    deployment('kustomize-controller', ns, {
      image:
        'ghcr.io/fluxcd/kustomize-controller:v1.7.3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      labels: FLUX('v2.7.0'),
    }),
  );
  await api.apply(
    deployment('helm-controller', ns, {
      image: 'ghcr.io/fluxcd/helm-controller:v1.3.0',
      labels: FLUX('v2.6.0'),
      ready: false,
    }),
  );
  await api.apply(deployment('podinfo', ns, { image: 'ghcr.io/stefanprodan/podinfo:6.5.0' }));
  await api.apply({
    apiVersion: V.operator,
    kind: 'FluxInstance',
    metadata: { name: 'flux', namespace: ns },
    spec: { distribution: { version: '2.7.x', registry: 'ghcr.io/fluxcd' } },
    status: readyStatus(1, {
      lastAppliedRevision: 'v2.7.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    }),
  });
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

async function instance(args: Record<string, unknown>) {
  return callTool(server.client, 'get_flux_instance', args);
}

describe('get_flux_instance', () => {
  it('lists the Flux controllers of the namespace with the version of their images, and nothing else', async () => {
    const { structured } = await instance({ namespace: ns });
    const controllers = structured.controllers as Controller[];
    expect(controllers.map((c) => c.name)).toEqual([
      'helm-controller',
      'kustomize-controller',
      'source-controller',
    ]);
    expect(controllers.map((c) => c.images[0]!.version)).toEqual(['v1.3.0', 'v1.7.3', 'v1.7.0']);
  });

  it('tells ready controllers from controllers that are not, with the reason', async () => {
    const { structured, text } = await instance({ namespace: ns });
    const controllers = structured.controllers as Controller[];
    expect(controllers.find((c) => c.name === 'source-controller')).toMatchObject({
      ready: true,
      message: 'ready 1/1',
    });
    expect(controllers.find((c) => c.name === 'helm-controller')).toMatchObject({ ready: false });
    expect(text).toContain(
      `  Deployment ${ns}/helm-controller  NOT READY ready 0/1, progress deadline exceeded`,
    );
    expect(text).toContain(`  Deployment ${ns}/source-controller  ready 1/1  source-controller v1.7.0`);
    expect(structured.problems).toContainEqual(
      expect.stringMatching(/^helm-controller is not ready \(ready 0\/1/),
    );
  });

  it('flags controllers from different Flux releases', async () => {
    const { structured } = await instance({ namespace: ns });
    expect(structured.problems).toContainEqual(
      'mixed Flux versions (app.kubernetes.io/version): v2.6.0: helm-controller; v2.7.0: kustomize-controller, source-controller; finish the upgrade so all components come from one release',
    );
  });

  it('reports the Kubernetes version of the API server', async () => {
    const { structured, text } = await instance({ namespace: ns });
    expect(structured.kubernetesVersion).toBe('v1.34.4');
    expect(text.split('\n')[0]).toContain('Kubernetes v1.34.4');
  });

  it('lists the Flux CRDs with their storage, served and deprecated versions', async () => {
    const { structured, text } = await instance({ namespace: ns });
    const crds = structured.crds as { name: string }[];
    expect(crds.find((c) => c.name === 'gitrepositories.source.toolkit.fluxcd.io')).toEqual({
      name: 'gitrepositories.source.toolkit.fluxcd.io',
      group: 'source.toolkit.fluxcd.io',
      kind: 'GitRepository',
      storageVersion: 'v1',
      served: ['v1', 'v1beta2'],
      deprecated: ['v1beta2'],
      storedVersions: ['v1'],
    });
    expect(crds).toHaveLength(19);
    expect(text).toContain('  kustomize.toolkit.fluxcd.io: Kustomization v1 (+v1beta2 deprecated)');
  });

  it('shows the FluxInstance of the Flux Operator with its readiness and revision', async () => {
    const { structured, text } = await instance({ namespace: ns });
    expect(structured.operator).toContainEqual(
      expect.objectContaining({
        kind: 'FluxInstance',
        namespace: ns,
        name: 'flux',
        ready: 'True',
        distribution: '2.7.x',
      }),
    );
    expect(text).toContain(`FluxInstance ${ns}/flux  Ready  distribution 2.7.x  rev v2.7.0@sha256:01234567`);
  });

  it('says so when the namespace has no Flux controllers', async () => {
    const empty = await testNamespace(api, 'instance-empty');
    const { structured, result } = await instance({ namespace: empty });
    expect(result.isError).toBeFalsy();
    expect(structured.controllers).toEqual([]);
    expect(structured.problems).toContainEqual(
      `no Flux controllers in namespace ${empty} (Deployments labelled app.kubernetes.io/part-of=flux); if Flux runs in another namespace, pass it as namespace`,
    );
  });

  it('says what it could not read for a user who may not list CRDs, instead of failing or hiding it', async () => {
    await api.apply(
      deployment('t-instance-controller', RESTRICTED_NAMESPACE, {
        image: 'ghcr.io/fluxcd/source-controller:v1.7.0',
        labels: FLUX('v2.7.0'),
      }),
    );
    try {
      const { structured, text, result } = await instance({
        namespace: RESTRICTED_NAMESPACE,
        context: 'restricted',
      });
      expect(result.isError).toBeFalsy();
      expect(structured.crds).toBeUndefined();
      expect((structured.controllers as Controller[]).map((c) => c.name)).toContain('t-instance-controller');
      expect(text).toContain(
        'Not visible to this user: CustomResourceDefinitions (forbidden: the user may not list them)',
      );
    } finally {
      await api.delete('apps/v1', 'Deployment', RESTRICTED_NAMESPACE, 't-instance-controller');
    }
  });
});

describe('get_flux_instance with objects stored in an old API version', () => {
  beforeAll(async () => {
    await api.request(
      'PATCH',
      `/apis/${CRD}/customresourcedefinitions/${BUCKETS_CRD}/status`,
      { status: { storedVersions: ['v1beta2', 'v1'] } },
      'application/merge-patch+json',
    );
  });

  afterAll(async () => {
    await api.request(
      'PATCH',
      `/apis/${CRD}/customresourcedefinitions/${BUCKETS_CRD}/status`,
      { status: { storedVersions: ['v1'] } },
      'application/merge-patch+json',
    );
  });

  it('tells to migrate them before an upgrade drops the deprecated version', async () => {
    const { structured } = await instance({ namespace: ns });
    expect(structured.problems).toContainEqual(
      'Bucket objects may still be stored in v1beta2 (deprecated): migrate them to v1 (flux migrate) before an upgrade drops that version',
    );
  });
});
