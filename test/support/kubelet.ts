// A fake kubelet: the API server reads pod logs from the kubelet of the pod's node (pods/log), so a Node
// pointing at this HTTPS server on 127.0.0.1 lets tests read logs through the real API server. Without
// --kubelet-certificate-authority the API server does not verify the kubelet's certificate; the API
// server's own serving certificate does.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { TestApi, TestObject } from './api.js';
import { cluster } from './env.js';

export interface KubeletRequest {
  namespace: string;
  pod: string;
  container: string;
  query: Record<string, string>;
}

export interface FakeKubelet {
  nodeName: string;
  requests: KubeletRequest[];
  /** What the kubelet answers for a container's log. */
  setLog(namespace: string, pod: string, container: string, text: string): void;
  close(): Promise<void>;
}

export async function startFakeKubelet(api: TestApi): Promise<FakeKubelet> {
  const certDir = dirname(cluster().caFile);
  const logs = new Map<string, string>();
  const requests: KubeletRequest[] = [];
  const server: Server = createServer(
    { key: readFileSync(join(certDir, 'apiserver.key')), cert: readFileSync(join(certDir, 'apiserver.crt')) },
    (req, res) => {
      const url = new URL(req.url ?? '/', 'https://kubelet');
      const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (!m) {
        res.writeHead(404).end('not found');
        return;
      }
      const [, namespace, pod, container] = m as unknown as [string, string, string, string];
      requests.push({ namespace, pod, container, query: Object.fromEntries(url.searchParams) });
      const text = logs.get(`${namespace}/${pod}/${container}`);
      if (text === undefined) {
        res.writeHead(404).end(`container ${container} of pod ${namespace}/${pod} not found`);
        return;
      }
      const tail = Number(url.searchParams.get('tailLines') ?? '0');
      const lines = text.split('\n');
      res
        .writeHead(200, { 'Content-Type': 'text/plain' })
        .end(tail > 0 ? lines.slice(-tail - 1).join('\n') : text);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const nodeName = `fake-kubelet-${randomBytes(3).toString('hex')}`;
  const node: TestObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName } };
  await api.create(node);
  await api.patchStatus(node, {
    addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
    daemonEndpoints: { kubeletEndpoint: { Port: port } },
  });
  return {
    nodeName,
    requests,
    setLog: (namespace, pod, container, text) => logs.set(`${namespace}/${pod}/${container}`, text),
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await api.delete('v1', 'Node', undefined, nodeName);
    },
  };
}

/** A Pod as the scheduler and kubelet leave it: on a node, running and ready. */
export function runningPod(
  name: string,
  namespace: string,
  nodeName: string | undefined,
  options: { labels?: Record<string, string>; containers?: string[]; created?: string } = {},
): TestObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, ...(options.labels ? { labels: options.labels } : {}) },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: (options.containers ?? ['manager']).map((c) => ({ name: c, image: 'ghcr.io/fluxcd/x:v1' })),
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}
