// The Flux kind catalogue: what the flux CLI and the controllers know about each kind
// (docs/flux-semantics.md, Kinds). API versions are not fixed here: the cluster's discovery decides.

export type SuspendMechanism =
  | { type: 'spec' }
  | { type: 'annotation'; key: string; disabled: string; enabled: string }
  | { type: 'none' };

export interface FluxKind {
  readonly kind: string;
  readonly group: string;
  readonly plural: string;
  readonly shortNames: readonly string[];
  readonly suspend: SuspendMechanism;
  /** The controller honours `reconcile.fluxcd.io/requestedAt` and reports `status.lastHandledReconcileAt`. */
  readonly reconcilable: boolean;
  /** Produces an artifact that appliers consume. */
  readonly source: boolean;
  /** The Deployment of the controller that reconciles this kind. */
  readonly controller: string;
}

const SPEC: SuspendMechanism = { type: 'spec' };
const OPERATOR_ANNOTATION: SuspendMechanism = {
  type: 'annotation',
  key: 'fluxcd.controlplane.io/reconcile',
  disabled: 'disabled',
  enabled: 'enabled',
};

export const SOURCE_GROUP = 'source.toolkit.fluxcd.io';
export const KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';
export const HELM_GROUP = 'helm.toolkit.fluxcd.io';
export const NOTIFICATION_GROUP = 'notification.toolkit.fluxcd.io';
export const IMAGE_GROUP = 'image.toolkit.fluxcd.io';
export const SOURCE_EXTENSIONS_GROUP = 'source.extensions.fluxcd.io';
export const OPERATOR_GROUP = 'fluxcd.controlplane.io';

function kind(
  kind: string,
  group: string,
  plural: string,
  controller: string,
  options: Partial<Pick<FluxKind, 'shortNames' | 'suspend' | 'reconcilable' | 'source'>> = {},
): FluxKind {
  return {
    kind,
    group,
    plural,
    controller,
    shortNames: options.shortNames ?? [],
    suspend: options.suspend ?? SPEC,
    reconcilable: options.reconcilable ?? true,
    source: options.source ?? false,
  };
}

export const FLUX_KINDS: readonly FluxKind[] = [
  kind('GitRepository', SOURCE_GROUP, 'gitrepositories', 'source-controller', {
    shortNames: ['gitrepo'],
    source: true,
  }),
  kind('OCIRepository', SOURCE_GROUP, 'ocirepositories', 'source-controller', {
    shortNames: ['ocirepo'],
    source: true,
  }),
  kind('HelmRepository', SOURCE_GROUP, 'helmrepositories', 'source-controller', {
    shortNames: ['helmrepo'],
    source: true,
  }),
  kind('HelmChart', SOURCE_GROUP, 'helmcharts', 'source-controller', { shortNames: ['hc'], source: true }),
  kind('Bucket', SOURCE_GROUP, 'buckets', 'source-controller', { source: true }),
  kind('ExternalArtifact', SOURCE_GROUP, 'externalartifacts', 'source-controller', {
    shortNames: ['ea'],
    suspend: { type: 'none' },
    reconcilable: false,
    source: true,
  }),
  kind('Kustomization', KUSTOMIZE_GROUP, 'kustomizations', 'kustomize-controller', { shortNames: ['ks'] }),
  kind('HelmRelease', HELM_GROUP, 'helmreleases', 'helm-controller', { shortNames: ['hr'] }),
  kind('Receiver', NOTIFICATION_GROUP, 'receivers', 'notification-controller'),
  kind('Alert', NOTIFICATION_GROUP, 'alerts', 'notification-controller', { reconcilable: false }),
  kind('Provider', NOTIFICATION_GROUP, 'providers', 'notification-controller', { reconcilable: false }),
  kind('ImageRepository', IMAGE_GROUP, 'imagerepositories', 'image-reflector-controller', {
    shortNames: ['imgrepo', 'imagerepo'],
  }),
  kind('ImagePolicy', IMAGE_GROUP, 'imagepolicies', 'image-reflector-controller', {
    shortNames: ['imgpol', 'imagepol'],
  }),
  kind('ImageUpdateAutomation', IMAGE_GROUP, 'imageupdateautomations', 'image-automation-controller', {
    shortNames: ['iua', 'imgupd', 'imgauto'],
  }),
  kind('ArtifactGenerator', SOURCE_EXTENSIONS_GROUP, 'artifactgenerators', 'source-watcher', {
    shortNames: ['ag'],
    suspend: {
      type: 'annotation',
      key: 'source.extensions.fluxcd.io/reconcile',
      disabled: 'disabled',
      enabled: 'enabled',
    },
  }),
  kind('FluxInstance', OPERATOR_GROUP, 'fluxinstances', 'flux-operator', { suspend: OPERATOR_ANNOTATION }),
  kind('FluxReport', OPERATOR_GROUP, 'fluxreports', 'flux-operator', { suspend: OPERATOR_ANNOTATION }),
  kind('ResourceSet', OPERATOR_GROUP, 'resourcesets', 'flux-operator', {
    shortNames: ['rset'],
    suspend: OPERATOR_ANNOTATION,
  }),
  kind('ResourceSetInputProvider', OPERATOR_GROUP, 'resourcesetinputproviders', 'flux-operator', {
    shortNames: ['rsip'],
    suspend: OPERATOR_ANNOTATION,
  }),
];

const byLowerName = new Map<string, FluxKind>();
for (const k of FLUX_KINDS) {
  for (const name of [k.kind, k.plural, ...k.shortNames]) byLowerName.set(name.toLowerCase(), k);
}

/** Finds a Flux kind by kind name, plural or short name, case-insensitively. */
export function findFluxKind(name: string): FluxKind | undefined {
  return byLowerName.get(name.toLowerCase());
}

/** True for a kind of a Flux API group (toolkit, source extensions or the Flux Operator). */
export function isFluxGroup(group: string): boolean {
  return (
    group.endsWith('.toolkit.fluxcd.io') || group === SOURCE_EXTENSIONS_GROUP || group === OPERATOR_GROUP
  );
}

export function fluxKindOf(group: string, kindName: string): FluxKind | undefined {
  const k = byLowerName.get(kindName.toLowerCase());
  return k && k.group === group ? k : undefined;
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function versionOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}
