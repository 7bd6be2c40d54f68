import { describe, expect, it } from 'vitest';
import { NamespaceScope } from '../../src/kube/scope.js';

const scope = new NamespaceScope(['team-b', 'team-a']);

describe('NamespaceScope', () => {
  it('lists its namespaces sorted', () => {
    expect(scope.namespaces).toEqual(['team-a', 'team-b']);
  });

  it('lets requests into allowed namespaces through', () => {
    expect(() => scope.checkPath('GET', '/api/v1/namespaces/team-a/pods/x/log', 'prod')).not.toThrow();
    expect(() =>
      scope.checkPath(
        'PATCH',
        '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/team-b/kustomizations/a',
        'prod',
      ),
    ).not.toThrow();
  });

  it('refuses reads and writes in other namespaces, saying nothing was read or changed', () => {
    expect(() => scope.checkPath('GET', '/api/v1/namespaces/prod/secrets', 'ctx')).toThrow(
      'namespace prod is not one of --allowed-namespaces (team-a, team-b), the namespaces this server may use in context ctx; nothing was read',
    );
    expect(() =>
      scope.checkPath('PATCH', '/apis/helm.toolkit.fluxcd.io/v2/namespaces/prod/helmreleases/x', 'ctx'),
    ).toThrow(/nothing was changed$/);
  });

  it('says that --allowed-namespaces refuses a change of a cluster-scoped object', () => {
    expect(() => scope.checkClusterScopedWrite('clusterroles.rbac.authorization.k8s.io', 'ctx')).toThrow(
      'clusterroles.rbac.authorization.k8s.io is cluster-scoped, and --allowed-namespaces (team-a, team-b) lets this server change objects only in those namespaces in context ctx; nothing was changed',
    );
  });

  it('treats the Namespace object itself as inside its namespace', () => {
    expect(() => scope.checkPath('GET', '/api/v1/namespaces/team-a', 'ctx')).not.toThrow();
    expect(() => scope.checkPath('GET', '/api/v1/namespaces/kube-system', 'ctx')).toThrow(/kube-system/);
  });

  it('leaves paths without a namespace alone', () => {
    expect(() => scope.checkPath('GET', '/apis', 'ctx')).not.toThrow();
    expect(() =>
      scope.checkPath('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', 'ctx'),
    ).not.toThrow();
  });
});
