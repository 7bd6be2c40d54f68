// vitest global setup for the end-to-end tests: the test API server with the CRDs of the real controllers'
// Flux release (FLUX_OPS_MCP_FLUX: 2.7 or 2.9), with kube-controller-manager, kube-scheduler and a kwok node
// so that Deployments roll out and Pods run or fail (test/cluster/pods.ts), the real controllers (also shown
// as their Deployments in flux-system, their Pods' logs being the processes' output), and the Git and Helm
// sources on loopback; all stopped when the run ends.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { clusterInfo, startTestCluster, type ClusterInfo } from '../cluster/cluster.js';
import {
  CONTROLLER_NAMES,
  controllerBuild,
  memoryOf,
  startControllers,
  type ControllersInfo,
} from '../cluster/controllers.js';
import { deployControllers } from '../cluster/flux-deployments.js';
import { startSourcesServer, type SourcesInfo } from '../cluster/sources-server.js';
import { TestApi } from '../support/api.js';

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterInfo;
    controllers: ControllersInfo;
    sources: SourcesInfo;
  }
}

function log(line: string): void {
  process.stderr.write(`e2e: ${line}\n`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let t = Date.now();
  const build = controllerBuild();
  log(`Flux ${build.release} controllers and CRDs ready in ${Date.now() - t} ms`);
  t = Date.now();
  const cluster = await startTestCluster({
    crds: { dir: build.crds, release: build.release },
    pods: 'workloads',
  });
  log(
    `test cluster with the Flux ${build.release} CRDs, kube-controller-manager, kube-scheduler and a kwok node ready at ${cluster.server} in ${Date.now() - t} ms`,
  );
  const stops: (() => Promise<void>)[] = [cluster.stop];
  try {
    t = Date.now();
    // --requeue-dependency stays at its default (30 s): test/e2e/dependencies.test.ts shows that an answer
    // does not wait for it.
    const controllers = await startControllers({ kubeconfig: cluster.kubeconfig, dir: cluster.dir, build });
    stops.unshift(controllers.stop);
    log(
      `controllers ready in ${Date.now() - t} ms: ${CONTROLLER_NAMES.map((n) => `${n} ${controllers.versions[n]}`).join(', ')}`,
    );
    t = Date.now();
    const api = new TestApi(cluster.server, cluster.adminToken, cluster.caFile);
    await deployControllers(api, controllers, build.manifests).finally(() => api.close());
    log(`controller Deployments in flux-system available in ${Date.now() - t} ms`);
    const sourcesRoot = join(cluster.dir, 'sources');
    mkdirSync(sourcesRoot, { recursive: true });
    const sources = await startSourcesServer(sourcesRoot);
    stops.unshift(sources.stop);
    log(`Git and Helm sources at ${sources.url}`);

    const { stop: _controllers, ...controllersInfo } = controllers;
    const { stop: _sources, ...sourcesInfo } = sources;
    project.provide('cluster', clusterInfo(cluster));
    project.provide('controllers', controllersInfo);
    project.provide('sources', sourcesInfo);
    return async () => {
      const memory = CONTROLLER_NAMES.map((n) => {
        const m = memoryOf(controllers.pids[n]);
        return m ? `${n} ${m.rssMiB} MiB (peak ${m.peakMiB} MiB)` : `${n} not running`;
      });
      log(`controllers' resident memory at the end of the run: ${memory.join(', ')}`);
      for (const stop of stops) await stop();
    };
  } catch (err) {
    for (const stop of stops) await stop();
    throw err;
  }
}
