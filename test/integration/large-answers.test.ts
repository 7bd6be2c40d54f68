// Large answers of the API server, which it gzips for a client that accepts it (as the server asks, to spare
// the bandwidth of big lists to clusters far away): read whole, as a plain answer would be.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import type { TestApi } from '../support/api.js';
import {
  adminApi,
  callTool,
  cluster,
  startServer,
  testNamespace,
  type ServerHandle,
} from '../support/env.js';

let api: TestApi;
let server: ServerHandle;
let ns: string;
const COUNT = 120;

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'large');
  const data = { blob: 'x'.repeat(2048) };
  for (let i = 0; i < COUNT; i++) {
    await api.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `cm-${i}`, namespace: ns },
      data,
    });
  }
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

describe('an answer the API server gzips', () => {
  it('is gzipped by the API server for a client that accepts it (the premise)', async () => {
    const c = cluster();
    const res = await request(`${c.server}/api/v1/namespaces/${ns}/configmaps`, {
      headers: { authorization: `Bearer ${c.adminToken}`, 'accept-encoding': 'gzip' },
      dispatcher: new Agent({ connect: { ca: readFileSync(c.caFile) } }),
    });
    await res.body.dump();
    expect(res.headers['content-encoding']).toBe('gzip');
  });

  it('is read whole: every object of a list of more than 250 KB', async () => {
    const { result, structured } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'ConfigMap',
      namespace: ns,
      limit: COUNT,
    });
    expect(result.isError).toBeFalsy();
    expect(structured.count).toBe(COUNT);
  });
});
