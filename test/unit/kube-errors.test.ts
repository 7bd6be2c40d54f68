import { describe, expect, it } from 'vitest';
import { errorFromResponse, errorFromTransport } from '../../src/kube/errors.js';

const req = {
  verb: 'list',
  resource: 'kustomizations.kustomize.toolkit.fluxcd.io',
  namespace: 'prod',
  context: 'prod',
  server: 'https://k:6443',
};

describe('errorFromResponse', () => {
  it('turns a 403 into who cannot do what where', () => {
    const err = errorFromResponse(
      403,
      {
        kind: 'Status',
        message:
          'kustomizations.kustomize.toolkit.fluxcd.io is forbidden: User "jane" cannot patch resource "kustomizations" in API group "kustomize.toolkit.fluxcd.io" in the namespace "prod"',
        reason: 'Forbidden',
      },
      req,
    );
    expect(err.code).toBe('Forbidden');
    expect(err.message).toBe(
      'forbidden: user jane cannot patch kustomizations.kustomize.toolkit.fluxcd.io in namespace prod (context prod); ask a cluster admin for RBAC access or use another context',
    );
  });

  it('says that the server may not impersonate the caller, and what to grant, when impersonation is refused', () => {
    const err = errorFromResponse(
      403,
      {
        kind: 'Status',
        message:
          'users "alice" is forbidden: User "system:serviceaccount:flux-ops-mcp:flux-ops-mcp" cannot impersonate resource "users" in API group "" at the cluster scope',
        reason: 'Forbidden',
      },
      req,
    );
    expect(err.code).toBe('Forbidden');
    expect(err.message).toBe(
      'forbidden: this server (user system:serviceaccount:flux-ops-mcp:flux-ops-mcp) may not impersonate user alice in context prod; grant it the impersonate verb (deploy/optional/impersonation.yaml, with this name in resourceNames if the role lists names)',
    );
  });

  it('names the object of a 404', () => {
    const err = errorFromResponse(
      404,
      { kind: 'Status', reason: 'NotFound' },
      { ...req, verb: 'get', name: 'podinfo' },
    );
    expect(err.code).toBe('NotFound');
    expect(err.message).toBe(
      'kustomizations.kustomize.toolkit.fluxcd.io podinfo in namespace prod not found in context prod',
    );
  });

  it('lists the causes of an invalid request', () => {
    const err = errorFromResponse(
      422,
      {
        kind: 'Status',
        message: 'x',
        details: { causes: [{ field: 'spec.interval', message: 'Required value' }] },
      },
      req,
    );
    expect(err.code).toBe('Invalid');
    expect(err.message).toContain('spec.interval: Required value');
  });

  it('says a 409 is a conflict to retry', () => {
    expect(errorFromResponse(409, { reason: 'Conflict' }, req).message).toContain('retry');
  });

  it('says a 401 is about credentials', () => {
    expect(errorFromResponse(401, {}, req).code).toBe('Unauthorized');
  });
});

describe('errorFromTransport', () => {
  it('calls a refused connection unreachable', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const err = errorFromTransport(new TypeError('fetch failed', { cause }), req);
    expect(err.code).toBe('Unreachable');
    expect(err.message).toBe(
      'cluster unreachable: https://k:6443 (context prod): connect ECONNREFUSED 127.0.0.1:9; check the network, VPN or the server address in the kubeconfig',
    );
  });

  it('calls a certificate failure a TLS error', () => {
    const cause = Object.assign(new Error('self-signed certificate'), {
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(errorFromTransport(new TypeError('fetch failed', { cause }), req).code).toBe('TLS');
  });

  it('calls a timeout a timeout', () => {
    const err = Object.assign(new Error('The operation was aborted due to timeout'), {
      name: 'TimeoutError',
    });
    expect(errorFromTransport(err, req).code).toBe('Timeout');
  });
});
