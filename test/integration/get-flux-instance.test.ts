import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTRICTED_NAMESPACE } from '../cluster/cluster.js';
import type { TestApi } from '../support/api.js';
import {
  adminApi,
  callTool,
  fluxAtLeast,
  fluxRelease,
  startServer,
  testNamespace,
  type ServerHandle,
} from '../support/env.js';
import { FLUX_CONTROLLERS, fluxInstallLabels, readyStatus, V } from '../support/flux.js';
import { deployment } from '../support/workloads.js';

const CRD = 'apiextensions.k8s.io/v1';
const BUCKETS_CRD = 'buckets.source.toolkit.fluxcd.io';
/** The release of the test cluster's CRDs, and the controller images a `flux install` of it deploys. */
const RELEASE = fluxRelease();
const IMAGES = FLUX_CONTROLLERS[RELEASE]!;
/** A FluxInstance version range the installed release satisfies, e.g. 2.9.x. */
const DISTRIBUTION = `${/^v(\d+\.\d+)/.exec(RELEASE)![1]}.x`;
/** Flux 2.8 stopped serving the source and kustomize v1beta2 APIs, deprecated in 2.7. */
const V1BETA2_SERVED = !fluxAtLeast('2.8');

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
      image: `ghcr.io/fluxcd/source-controller:${IMAGES['source-controller']}`,
      labels: fluxInstallLabels(RELEASE),
    }),
  );
  await api.apply(
    deployment('kustomize-controller', ns, {
      image: `ghcr.io/fluxcd/kustomize-controller:${IMAGES['kustomize-controller']}@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef`,
      labels: fluxInstallLabels(RELEASE),
    }),
  );
  // Left behind by an unfinished upgrade from Flux 2.6.
  await api.apply(
    deployment('helm-controller', ns, {
      image: 'ghcr.io/fluxcd/helm-controller:v1.3.0',
      labels: fluxInstallLabels('v2.6.0'),
      ready: false,
    }),
  );
  await api.apply(deployment('podinfo', ns, { image: 'ghcr.io/stefanprodan/podinfo:6.5.0' }));
  await api.apply({
    apiVersion: V.operator,
    kind: 'FluxInstance',
    metadata: { name: 'flux', namespace: ns },
    spec: { distribution: { version: DISTRIBUTION, registry: 'ghcr.io/fluxcd' } },
    status: readyStatus(1, {
      lastAppliedRevision: `${RELEASE}@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef`,
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
    expect(controllers.map((c) => c.images[0]!.version)).toEqual([
      'v1.3.0',
      IMAGES['kustomize-controller'],
      IMAGES['source-controller'],
    ]);
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
    expect(text).toContain(
      `  Deployment ${ns}/source-controller  ready 1/1  source-controller ${IMAGES['source-controller']}`,
    );
    expect(structured.problems).toContainEqual(
      expect.stringMatching(/^helm-controller is not ready \(ready 0\/1/),
    );
  });

  it('flags controllers from different Flux releases', async () => {
    const { structured } = await instance({ namespace: ns });
    expect(structured.problems).toContainEqual(
      `mixed Flux versions (app.kubernetes.io/version): v2.6.0: helm-controller; ${RELEASE}: kustomize-controller, source-controller, CRD HelmRelease, CRD ImagePolicy and 13 more; finish the upgrade so all components come from one release`,
    );
  });

  it('reports the Kubernetes version of the API server', async () => {
    const { structured, text } = await instance({ namespace: ns });
    expect(structured.kubernetesVersion).toBe('v1.34.4');
    expect(text.split('\n')[0]).toContain('Kubernetes v1.34.4');
  });

  it('lists the Flux CRDs with their storage, served and deprecated versions and their release', async () => {
    const { structured, text } = await instance({ namespace: ns });
    const crds = structured.crds as { name: string }[];
    expect(crds.find((c) => c.name === 'gitrepositories.source.toolkit.fluxcd.io')).toEqual({
      name: 'gitrepositories.source.toolkit.fluxcd.io',
      group: 'source.toolkit.fluxcd.io',
      kind: 'GitRepository',
      storageVersion: 'v1',
      served: V1BETA2_SERVED ? ['v1', 'v1beta2'] : ['v1'],
      deprecated: V1BETA2_SERVED ? ['v1beta2'] : [],
      storedVersions: ['v1'],
      distribution: RELEASE,
    });
    expect(crds).toHaveLength(19);
    expect(text.split('\n')).toContain(
      `  kustomize.toolkit.fluxcd.io: Kustomization v1${V1BETA2_SERVED ? ' (+v1beta2 deprecated)' : ''}`,
    );
  });

  it('shows the FluxInstance of the Flux Operator with its readiness and revision', async () => {
    const { structured, text } = await instance({ namespace: ns });
    expect(structured.operator).toContainEqual(
      expect.objectContaining({
        kind: 'FluxInstance',
        namespace: ns,
        name: 'flux',
        ready: 'True',
        distribution: DISTRIBUTION,
      }),
    );
    expect(text).toContain(
      `FluxInstance ${ns}/flux  Ready  distribution ${DISTRIBUTION}  rev ${RELEASE}@sha256:01234567`,
    );
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
        image: `ghcr.io/fluxcd/source-controller:${IMAGES['source-controller']}`,
        labels: fluxInstallLabels(RELEASE),
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

  it('tells to migrate them, saying whether the CRD still serves the old version', async () => {
    const { structured } = await instance({ namespace: ns });
    const state = V1BETA2_SERVED ? 'deprecated' : 'no longer served';
    expect(structured.problems).toContainEqual(
      `Bucket objects may still be stored in v1beta2 (${state}): migrate them to v1 (flux migrate) before an upgrade drops that version`,
    );
  });
});

describe('get_flux_instance on an installation of one Flux release', () => {
  let installed: string;

  beforeAll(async () => {
    installed = await testNamespace(api, 'instance-installed');
    for (const [name, version] of Object.entries(IMAGES)) {
      await api.apply(
        deployment(name, installed, {
          image: `ghcr.io/fluxcd/${name}:${version}`,
          labels: { ...fluxInstallLabels(RELEASE), 'app.kubernetes.io/component': name },
        }),
      );
    }
  });

  it('names the Flux release from the CRD label flux check reads', async () => {
    const { structured, text } = await instance({ namespace: installed });
    expect(structured.distribution).toEqual({
      version: RELEASE,
      from: 'CRD label app.kubernetes.io/version',
    });
    expect(text.split('\n')[0]).toBe(
      `Flux ${RELEASE} in context admin, namespace ${installed}; Kubernetes v1.34.4; 4 controllers, 4 ready; no problems.`,
    );
  });

  it('reports each controller with the image version and release label of that release', async () => {
    const { structured } = await instance({ namespace: installed });
    expect(
      (structured.controllers as (Controller & { distribution?: string })[]).map((c) => [
        c.name,
        c.images[0]!.version,
        c.distribution,
      ]),
    ).toEqual(
      Object.entries(IMAGES)
        .map(([name, version]) => [name, version, RELEASE])
        .sort(),
    );
  });

  it('finds no problem when CRDs and controllers come from the same release', async () => {
    const { structured } = await instance({ namespace: installed });
    expect(structured.problems).toEqual([]);
  });
});
