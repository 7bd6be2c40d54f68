// What each Flux release serves, and what it needs. Everything else in this server asks the cluster's
// discovery which API versions exist; a release the cluster does not run yet cannot be discovered, so the
// upgrade pre-flight needs this table. Sources: the CRDs in config/crd/bases of each controller at the tags
// that fluxcd/flux2 bundles (manifests/bases/*/kustomization.yaml), the controllers' CHANGELOG.md for
// removals, and `kubernetesConstraints` in fluxcd/flux2 cmd/flux/check.go for the Kubernetes floor.
import {
  HELM_GROUP,
  IMAGE_GROUP,
  KUSTOMIZE_GROUP,
  NOTIFICATION_GROUP,
  SOURCE_EXTENSIONS_GROUP,
  SOURCE_GROUP,
} from './kinds.js';

export interface ServedKind {
  kind: string;
  group: string;
  storage: string;
  /** Every version served, storage first. */
  served: readonly string[];
  /** Served with a deprecation warning. */
  deprecated: readonly string[];
}

export interface FluxRelease {
  /** `2.9` */
  minor: string;
  /** The newest patch release known, e.g. `v2.9.5`. */
  latest: string;
  /** Oldest Kubernetes minor it supports (`flux check --pre`). */
  minKubernetes: string;
  kinds: readonly ServedKind[];
}

const SOURCE_KINDS = ['GitRepository', 'OCIRepository', 'HelmRepository', 'HelmChart', 'Bucket'];
const IMAGE_KINDS = ['ImageRepository', 'ImagePolicy', 'ImageUpdateAutomation'];

function served(group: string, kinds: string[], storage: string, deprecated: string[] = []): ServedKind[] {
  return kinds.map((kind) => ({ kind, group, storage, served: [storage, ...deprecated], deprecated }));
}

/** Kinds every release from 2.7 on serves the same way. */
const STABLE: ServedKind[] = [
  ...served(SOURCE_GROUP, ['ExternalArtifact'], 'v1'),
  ...served(SOURCE_EXTENSIONS_GROUP, ['ArtifactGenerator'], 'v1beta1'),
];

export const FLUX_RELEASES: readonly FluxRelease[] = [
  {
    minor: '2.7',
    latest: 'v2.7.5',
    minKubernetes: '1.32',
    kinds: [
      ...served(SOURCE_GROUP, SOURCE_KINDS, 'v1', ['v1beta2']),
      ...served(KUSTOMIZE_GROUP, ['Kustomization'], 'v1', ['v1beta2']),
      ...served(HELM_GROUP, ['HelmRelease'], 'v2', ['v2beta2']),
      ...served(NOTIFICATION_GROUP, ['Alert', 'Provider'], 'v1beta3', ['v1beta2']),
      ...served(NOTIFICATION_GROUP, ['Receiver'], 'v1', ['v1beta2']),
      ...served(IMAGE_GROUP, IMAGE_KINDS, 'v1', ['v1beta2']),
      ...STABLE,
    ],
  },
  {
    // Removed source, Kustomization v1beta2 and HelmRelease v2beta2 (source-controller v1.8.0,
    // kustomize-controller v1.8.0, helm-controller v1.5.0 changelogs).
    minor: '2.8',
    latest: 'v2.8.8',
    minKubernetes: '1.33',
    kinds: [
      ...served(SOURCE_GROUP, SOURCE_KINDS, 'v1'),
      ...served(KUSTOMIZE_GROUP, ['Kustomization'], 'v1'),
      ...served(HELM_GROUP, ['HelmRelease'], 'v2'),
      ...served(NOTIFICATION_GROUP, ['Alert', 'Provider'], 'v1beta3', ['v1beta2']),
      ...served(NOTIFICATION_GROUP, ['Receiver'], 'v1', ['v1beta2']),
      ...served(IMAGE_GROUP, IMAGE_KINDS, 'v1', ['v1beta2']),
      ...STABLE,
    ],
  },
  {
    // Removed notification and image v1beta2 (notification-controller v1.9.0, image-reflector-controller
    // v1.2.0, image-automation-controller v1.2.0 changelogs).
    minor: '2.9',
    latest: 'v2.9.5',
    minKubernetes: '1.33',
    kinds: [
      ...served(SOURCE_GROUP, SOURCE_KINDS, 'v1'),
      ...served(KUSTOMIZE_GROUP, ['Kustomization'], 'v1'),
      ...served(HELM_GROUP, ['HelmRelease'], 'v2'),
      ...served(NOTIFICATION_GROUP, ['Alert', 'Provider'], 'v1beta3'),
      ...served(NOTIFICATION_GROUP, ['Receiver'], 'v1'),
      ...served(IMAGE_GROUP, IMAGE_KINDS, 'v1'),
      ...STABLE,
    ],
  },
];

/** Oldest Kubernetes each Flux minor supports, including releases older than the table above. */
const MIN_KUBERNETES: Record<string, string> = {
  '2.6': '1.31',
  ...Object.fromEntries(FLUX_RELEASES.map((r) => [r.minor, r.minKubernetes])),
};

export interface Version {
  major: number;
  minor: number;
  /** Undefined for `2.9` and `2.9.x`. */
  patch?: number;
}

/**
 * `2`, `2.9`, `2.9.5`, `v2.9.5`, `2.9.x`, `2.x`, and revisions such as `v2.9.5@sha256:...`
 * (FluxInstance status); undefined otherwise. `2` and `2.x` leave minor at -1: any minor.
 */
export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)(?:\.(\d+|x|\*)(?:\.(\d+|x|\*))?)?(?:[-+][0-9A-Za-z.-]+)?(?:@.*)?$/.exec(text.trim());
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = m[2] === undefined || m[2] === 'x' || m[2] === '*' ? -1 : Number(m[2]);
  if (minor < 0 && m[3] !== undefined && m[3] !== 'x' && m[3] !== '*') return undefined;
  const patch = m[3] === undefined || m[3] === 'x' || m[3] === '*' ? undefined : Number(m[3]);
  return { major, minor, ...(patch !== undefined ? { patch } : {}) };
}

export function minorOf(text: string): string | undefined {
  const v = parseVersion(text);
  return v && v.minor >= 0 ? `${v.major}.${v.minor}` : undefined;
}

export function findRelease(minor: string): FluxRelease | undefined {
  return FLUX_RELEASES.find((r) => r.minor === minor);
}

export function newestRelease(): FluxRelease {
  return FLUX_RELEASES[FLUX_RELEASES.length - 1]!;
}

export function minKubernetes(fluxVersion: string): string | undefined {
  const minor = minorOf(fluxVersion);
  return minor ? MIN_KUBERNETES[minor] : undefined;
}

/** Compares major.minor of two versions: negative when `a` is older. */
export function compareMinor(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor;
}

/** True when Kubernetes `version` (e.g. v1.32.4+k3s1) is older than `min` (e.g. 1.33). */
export function kubernetesOlderThan(version: string, min: string): boolean {
  const have = parseVersion(version.replace(/\+.*$/, ''));
  const need = parseVersion(min);
  return Boolean(have && need && compareMinor(have, need) < 0);
}

/** How `release` serves `version` of a kind: storage, served, deprecated, or not at all. */
export function servedAs(
  release: FluxRelease,
  group: string,
  kind: string,
  version: string,
): 'storage' | 'served' | 'deprecated' | 'removed' | 'unknown' {
  const k = release.kinds.find((s) => s.group === group && s.kind === kind);
  if (!k) return 'unknown';
  if (k.storage === version) return 'storage';
  if (k.deprecated.includes(version)) return 'deprecated';
  return k.served.includes(version) ? 'served' : 'removed';
}
