// vitest global setup: one test cluster for the whole run, stopped when the run ends.
import type { TestProject } from 'vitest/node';
import { clusterInfo, startTestCluster, type ClusterInfo } from './cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  // kwok as the kubelet of one node: Pods given its name run, and their logs are served (test/cluster/pods.ts).
  const cluster = await startTestCluster({ pods: 'node' });
  process.stderr.write(
    `test cluster with the Flux ${cluster.fluxRelease} CRDs ready at ${cluster.server} in ${Date.now() - started} ms\n`,
  );
  project.provide('cluster', clusterInfo(cluster));
  return cluster.stop;
}
