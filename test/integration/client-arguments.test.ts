// Arguments as some real clients send them (Claude Desktop and Claude Code among them have sent numbers,
// booleans and lists as strings, and some clients send null for a parameter left out): the server reads
// them as meant, through a client that lists the tools first and validates every result. Nothing a client
// sends is dropped without a word: an unknown argument is refused, a missing one is explained, and the
// Flux Operator MCP server's parameters work on the tools of the same name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { gitRepository, kustomization, readyStatus, V } from '../support/flux.js';

let api: TestApi;
let server: ServerHandle;
let ns: string;

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'args');
  for (const name of ['a', 'b', 'c']) await api.apply(kustomization(name, ns));
  await api.apply(gitRepository('repo', ns));
  const suspended = await api.apply(kustomization('paused', ns, { spec: { suspend: true } }));
  await api.patchStatus(suspended, readyStatus(1, { revision: 'main@sha1:3f2a9c1e' }));
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
    expect(structured.count).toBe(4);
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

describe('an argument the tool does not have', () => {
  it('is refused on a write tool, naming the parameter it likely means, and nothing is changed', async () => {
    const { result, text } = await callTool(server.client, 'suspend_flux_reconciliation', {
      kind: 'Kustomization',
      name: 'a',
      namespace: ns,
      dryRun: true,
    });
    expect(result.isError).toBe(true);
    expect(text).toMatch(
      /^unknown argument "dryRun" \(did you mean "dry_run"\?\); nothing was done\. The parameters of suspend_flux_reconciliation: /,
    );
    const a = await api.get(V.kustomization, 'Kustomization', ns, 'a');
    expect(a.spec?.suspend).toBeUndefined();
  });

  it('a misspelled with_source is refused rather than reconciling without the source', async () => {
    const { result, text } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'c',
      namespace: ns,
      withSource: true,
      wait: false,
    });
    expect(result.isError).toBe(true);
    expect(text).toContain('unknown argument "withSource" (did you mean "with_source"?)');
    const c = await api.get(V.kustomization, 'Kustomization', ns, 'c');
    expect(c.metadata?.annotations?.['reconcile.fluxcd.io/requestedAt']).toBeUndefined();
  });
});

describe('a required argument that is missing', () => {
  it('is named with what it means, with the parameters of the tool', async () => {
    const { result, text } = await callTool(server.client, 'get_flux_tree', { namespace: ns });
    expect(result.isError).toBe(true);
    expect(text).toBe(
      "Input validation error: Invalid arguments for tool get_flux_tree: missing argument name (the object's name). The parameters of get_flux_tree: kind, apiVersion, name*, namespace, problems_only, offset, limit, context (* required).",
    );
  });

  it("a Flux object's namespace is flux-system, as with the flux CLI, and the answer says so", async () => {
    await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } });
    const name = `args-${ns}`;
    await api.apply(kustomization(name, 'flux-system'));
    try {
      const { result, text, structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
        name,
        dry_run: true,
      });
      expect(result.isError, text).toBeFalsy();
      expect(text).toContain(`Kustomization flux-system/${name}`);
      expect(text.split('\n').at(-1)).toBe(
        "Note: namespace flux-system: the call gave none, and it is the flux CLI's default.",
      );
      expect(structured.note).toBe(
        "namespace flux-system: the call gave none, and it is the flux CLI's default",
      );
    } finally {
      await api.delete(V.kustomization, 'Kustomization', 'flux-system', name);
    }
  });
});

describe("the Flux Operator MCP server's parameters", () => {
  it('reconcile_flux_resource with_source reconciles the source first (seen in a dry run)', async () => {
    const { result, text, structured } = await callTool(server.client, 'reconcile_flux_resource', {
      kind: 'Kustomization',
      name: 'b',
      namespace: ns,
      with_source: true,
      dry_run: true,
    });
    expect(result.isError, text).toBeFalsy();
    const steps = structured.steps as { kind: string; name: string; role: string }[];
    expect(steps.map((s) => `${s.role} ${s.kind} ${s.name}`)).toEqual([
      'source GitRepository repo',
      'target Kustomization b',
    ]);
  });

  it('reconcile_flux_resource with_source on a kind without a source says it reconciled the object alone', async () => {
    const { result, text } = await callTool(server.client, 'reconcile_flux_resource', {
      kind: 'GitRepository',
      name: 'repo',
      namespace: ns,
      with_source: true,
      dry_run: true,
    });
    expect(result.isError, text).toBeFalsy();
    expect(text).toContain(
      'with_source: GitRepository has no source to reconcile first; only the object itself was reconciled.',
    );
  });

  it('get_kubernetes_resources fields: each object answers with just those fields', async () => {
    const { result, text, structured } = await callTool(server.client, 'get_kubernetes_resources', {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      namespace: ns,
      fields: ['spec.suspend', 'status.conditions[?(@.type=="Ready")].status', 'spec.path'],
    });
    expect(result.isError, text).toBeFalsy();
    const names = (structured.items as { name: string }[]).map((i) => i.name);
    const fields = structured.fields as Record<string, unknown>[];
    expect(fields[names.indexOf('paused')]).toEqual({
      'spec.suspend': true,
      'status.conditions[?(@.type=="Ready")].status': 'True',
      'spec.path': './apps/paused',
    });
    expect(fields[names.indexOf('a')]).toEqual({ 'spec.path': './apps/a' });
    expect(text).toContain(
      `Kustomization ${ns}/paused  spec.suspend: true  status.conditions[?(@.type=="Ready")].status: True  spec.path: ./apps/paused`,
    );
  });

  it('get_kubernetes_resources refuses a field that is not a JSONPath expression, saying where', async () => {
    const { result, text } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      namespace: ns,
      fields: ['status.conditions[?(@.type=="Ready")'],
    });
    expect(result.isError).toBe(true);
    expect(text).toMatch(
      /^field "status\.conditions\[\?\(@\.type=="Ready"\)": "\]" is missing at character \d+; nothing was read$/,
    );
  });
});
