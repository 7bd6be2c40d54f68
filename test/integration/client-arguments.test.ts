// Arguments as some real clients send them (Claude Desktop and Claude Code among them have sent numbers,
// booleans and lists as strings, and some clients send null for a parameter left out): the server reads
// them as meant, through a client that lists the tools first and validates every result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { kustomization, V } from '../support/flux.js';

let api: TestApi;
let server: ServerHandle;
let ns: string;

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'args');
  for (const name of ['a', 'b', 'c']) await api.apply(kustomization(name, ns));
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

describe('arguments sent as strings', () => {
  it('a limit sent as "2" lists two objects and says where the list goes on', async () => {
    const { result, structured } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      namespace: ns,
      limit: '2',
    });
    expect(result.isError).toBeFalsy();
    expect(structured.items).toHaveLength(2);
    expect(structured.continue).toEqual(expect.any(String));
  });

  it('wait sent as "false" requests the reconcile and returns without waiting', async () => {
    const { result, structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'a',
      namespace: ns,
      wait: 'false',
    });
    expect(result.isError).toBeFalsy();
    expect(structured.result).toBe('requested');
    const obj = await api.get(V.kustomization, 'Kustomization', ns, 'a');
    expect(obj.metadata?.annotations?.['reconcile.fluxcd.io/requestedAt']).toBe(structured.token);
  });

  it('contexts sent as JSON text of a list asks each of those contexts', async () => {
    const { result, structured } = await callTool(server.client, 'get_flux_status', {
      namespace: ns,
      contexts: '["admin"]',
    });
    expect(result.isError).toBeFalsy();
    expect(structured.clusters).toEqual([expect.objectContaining({ context: 'admin' })]);
  });
});

describe('options written in another case', () => {
  it('output "YAML" gives the objects as YAML', async () => {
    const { result, text } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      namespace: ns,
      name: 'b',
      output: 'YAML',
    });
    expect(result.isError).toBeFalsy();
    expect(text).toContain('kind: Kustomization');
  });
});

describe('parameters sent as null', () => {
  it('are taken as left out', async () => {
    const { result, structured } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      namespace: ns,
      name: null,
      limit: null,
    });
    expect(result.isError).toBeFalsy();
    expect(structured.count).toBe(3);
  });
});

describe('arguments that mean nothing else', () => {
  it('a limit sent as "ten" is refused, naming the parameter', async () => {
    const { result, text } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      namespace: ns,
      limit: 'ten',
    });
    expect(result.isError).toBe(true);
    expect(text).toMatch(
      /^Input validation error: Invalid arguments for tool get_kubernetes_resources: limit: /,
    );
  });
});
