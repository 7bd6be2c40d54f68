// No argument is dropped without a word: an unknown one is refused with the closest parameter and the tool's
// list, a missing one says what it means, and the namespace of a Flux object is flux-system when none is given,
// as with the flux CLI, which the answer says.
import { describe, expect, it } from 'vitest';
import { checkArguments, closestParameter } from '../../src/server/arguments.js';
import { TOOLS, type Tool } from '../../tools/index.js';

const tool = (name: string): Tool => TOOLS.find((t) => t.name === name)!;

function refusal(name: string, args: Record<string, unknown>): string {
  const r = checkArguments(tool(name), args);
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r)}`);
  return r.message;
}

describe('an unknown argument', () => {
  it('is refused, naming it, the parameter it likely means, and every parameter of the tool', () => {
    expect(
      refusal('suspend_flux_reconciliation', {
        kind: 'Kustomization',
        name: 'a',
        namespace: 'apps',
        dryRun: true,
      }),
    ).toBe(
      'unknown argument "dryRun" (did you mean "dry_run"?); nothing was done. The parameters of suspend_flux_reconciliation: apiVersion, kind*, name, namespace, all, dry_run, context, reason (* required).',
    );
  });

  it('is refused even when its value is false or null', () => {
    expect(refusal('get_flux_status', { verbose: false })).toMatch(
      /^unknown argument "verbose"; nothing was done\./,
    );
    expect(refusal('get_flux_status', { verbose: null })).toMatch(/^unknown argument "verbose"/);
  });

  it('lists every unknown one in one answer', () => {
    expect(
      refusal('reconcile_flux_kustomization', { name: 'a', namespace: 'b', withSource: true, timeout_s: 30 }),
    ).toMatch(
      /^unknown arguments "withSource" \(did you mean "with_source"\?\), "timeout_s" \(did you mean "timeout"\?\)/,
    );
  });

  it('is matched to the closest parameter by spelling, by a known alias, or not at all', () => {
    const params = ['name', 'namespace', 'selector', 'limit', 'context', 'dry_run', 'with_source'];
    expect(closestParameter('DRY-RUN', params)).toBe('dry_run');
    expect(closestParameter('namepsace', params)).toBe('namespace');
    expect(closestParameter('labelSelector', params)).toBe('selector');
    expect(closestParameter('ns', params)).toBe('namespace');
    expect(closestParameter('cluster', params)).toBe('context');
    expect(closestParameter('banana', params)).toBeUndefined();
  });
});

describe("the Flux Operator MCP server's parameters", () => {
  it('with_source and an optional apiVersion are parameters of reconcile_flux_resource', () => {
    const r = checkArguments(tool('reconcile_flux_resource'), {
      kind: 'Kustomization',
      name: 'podinfo',
      namespace: 'apps',
      with_source: true,
    });
    expect(r).toMatchObject({ ok: true, args: { with_source: true } });
  });

  it('fields is a parameter of get_kubernetes_resources', () => {
    const r = checkArguments(tool('get_kubernetes_resources'), {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      fields: ['spec.suspend'],
    });
    expect(r).toMatchObject({ ok: true, args: { fields: ['spec.suspend'] } });
  });

  it("the logs of a pod by the peer's older pod_name, pod_namespace and container_name", () => {
    const r = checkArguments(tool('get_kubernetes_logs'), {
      pod_name: 'web-1',
      pod_namespace: 'apps',
      container_name: 'app',
    });
    expect(r).toMatchObject({
      ok: true,
      args: { kind: 'Pod', name: 'web-1', namespace: 'apps', container: 'app' },
    });
  });

  it('events by since and grep', () => {
    const r = checkArguments(tool('get_kubernetes_events'), {
      namespace: 'apps',
      since: '10m',
      grep: 'fail',
    });
    expect(r).toMatchObject({ ok: true });
  });
});

describe('a missing argument', () => {
  it('says what it means and lists the parameters', () => {
    expect(refusal('get_kubernetes_resources', {})).toBe(
      'Input validation error: Invalid arguments for tool get_kubernetes_resources: missing argument kind (e.g. HelmRelease or Pod). The parameters of get_kubernetes_resources: apiVersion, kind*, name, namespace, selector, limit, continue, output, fields, context (* required).',
    );
  });

  it('the namespace of a Flux object is flux-system, as with the flux CLI, and a note says so', () => {
    const r = checkArguments(tool('reconcile_flux_kustomization'), { name: 'apps' });
    expect(r).toEqual({
      ok: true,
      args: { name: 'apps', namespace: 'flux-system' },
      notes: ["namespace flux-system: the call gave none, and it is the flux CLI's default"],
    });
  });

  it('a name is still needed with the namespace defaulted', () => {
    expect(refusal('get_flux_tree', {})).toMatch(/missing argument name \(the object's name\)\./);
  });
});
