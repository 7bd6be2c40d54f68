// Lines as kustomize-controller writes them (JSON, one per line), in the controller-runtime 0.15+ shape
// (controllerKind, the object nested under its kind) and the older one (reconciler kind), with a klog line.

const modern = (
  ts: string,
  level: string,
  msg: string,
  ns: string,
  name: string,
  extra: Record<string, unknown> = {},
) =>
  JSON.stringify({
    level,
    ts,
    msg,
    controller: 'kustomization',
    controllerGroup: 'kustomize.toolkit.fluxcd.io',
    controllerKind: 'Kustomization',
    Kustomization: { name, namespace: ns },
    namespace: ns,
    name,
    reconcileID: '0c5b7e3e-5d4a-4b1e-9a51-2f7f3c1d9e10',
    ...extra,
  });

export const KUSTOMIZE_CONTROLLER_LOG = [
  JSON.stringify({
    level: 'info',
    ts: '2026-03-01T10:00:00.000Z',
    msg: 'Starting EventSource',
    controller: 'kustomization',
    controllerGroup: 'kustomize.toolkit.fluxcd.io',
    controllerKind: 'Kustomization',
    source: 'kind source: *v1.Kustomization',
  }),
  modern('2026-03-01T10:00:01.100Z', 'info', 'server-side apply completed', 'apps', 'podinfo', {
    output: { 'Deployment/apps/podinfo': 'configured' },
  }),
  modern(
    '2026-03-01T10:00:05.200Z',
    'error',
    'Reconciliation failed after 4.1s, next try in 5m0s',
    'apps',
    'podinfo',
    {
      revision: 'main@sha1:3f2a9c1e0123456789abcdef0123456789abcdef',
      error:
        "health check failed after 4.0s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']",
    },
  ),
  modern(
    '2026-03-01T10:00:06.000Z',
    'info',
    'Reconciliation finished in 800ms, next run in 10m0s',
    'flux-system',
    'infra',
  ),
  modern(
    '2026-03-01T10:00:07.000Z',
    'info',
    'Reconciliation finished in 900ms, next run in 10m0s',
    'staging',
    'podinfo',
  ),
  'I0301 10:00:08.000000       1 leaderelection.go:258] successfully acquired lease flux-system/kustomize-controller-leader-election',
  JSON.stringify({
    level: 'error',
    ts: '2026-03-01T10:00:09.000Z',
    logger: 'controller.kustomization',
    msg: 'Reconciler error',
    'reconciler group': 'kustomize.toolkit.fluxcd.io',
    'reconciler kind': 'Kustomization',
    name: 'podinfo',
    namespace: 'apps',
    error: 'kustomize build failed: accumulating resources',
  }),
  modern(
    '2026-03-01T10:00:10.000Z',
    'info',
    'All dependencies are ready, proceeding with reconciliation',
    'apps',
    'podinfo',
  ),
  '',
].join('\n');
