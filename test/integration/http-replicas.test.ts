// Several replicas behind one Service (the chart's replicaCount > 1 or its HPA): with --stateless any replica
// answers any request, so a load balancer may spread a client's requests as it likes; with sessions, a
// session lives in the replica that opened it, which is why the chart asks for stateless or session affinity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, callTool, testNamespace } from '../support/env.js';
import { kustomization } from '../support/flux.js';
import { connect, startHttpServer, type HttpServer } from '../support/http.js';

/** A fetch that sends each request to the next replica in turn, as a round-robin load balancer does. */
function roundRobin(replicas: HttpServer[]): { fetch: typeof fetch; hits: Map<string, number> } {
  const hits = new Map(replicas.map((r) => [r.base, 0]));
  let next = 0;
  const balanced: typeof fetch = (input, init) => {
    const replica = replicas[next++ % replicas.length]!;
    hits.set(replica.base, hits.get(replica.base)! + 1);
    const url = new URL(input instanceof Request ? input.url : input.toString());
    return fetch(new URL(`${url.pathname}${url.search}`, replica.base), init);
  };
  return { fetch: balanced, hits };
}

let ns: string;

beforeAll(async () => {
  const api = adminApi();
  ns = await testNamespace(api, 'replicas');
  await api.apply(kustomization('spread', ns, { spec: { suspend: true } }));
  await api.close();
});

describe('two --stateless replicas behind a round-robin load balancer', () => {
  const replicas: HttpServer[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) replicas.push(await startHttpServer(['--stateless']));
  });
  afterAll(async () => {
    for (const r of replicas) await r.stop();
  });

  it('serve one client whose requests alternate between them: initialize, tools/list and tool calls', async () => {
    const { fetch, hits } = roundRobin(replicas);
    const { client } = await connect(replicas[0]!.url, { fetch });
    for (let i = 0; i < 3; i++) {
      const { result, text } = await callTool(client, 'get_flux_status', { namespace: ns });
      expect(result.isError).toBeFalsy();
      expect(text).toContain(`Kustomization ${ns}/spread`);
    }
    await client.close();
    expect([...hits.values()].every((n) => n >= 3)).toBe(true);
  });
});

describe('two replicas with sessions behind a round-robin load balancer', () => {
  const replicas: HttpServer[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) replicas.push(await startHttpServer());
  });
  afterAll(async () => {
    for (const r of replicas) await r.stop();
  });

  it('lose the session on the replica that did not open it, so they need stateless or session affinity', async () => {
    const { fetch } = roundRobin(replicas);
    await expect(connect(replicas[0]!.url, { fetch })).rejects.toThrow(/404|Session not found/i);
  });
});
