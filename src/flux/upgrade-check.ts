// The pre-flight of a Flux upgrade: what the target release no longer serves and where the cluster still
// uses it (CRD storedVersions, objects applied from Git in a removed apiVersion), the Kubernetes floor,
// how Flux was installed, and the steps in order. Read only. Why storage matters: the API server rejects a
// CRD that drops a version still listed in its status.storedVersions, which is why `flux migrate`
// (docs/flux-semantics.md, Upgrades and storage migration) must run before such an upgrade.
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { isKubeError } from '../kube/errors.js';
import type { KubeObject, ResourceType } from '../kube/types.js';
import { FluxError } from './errors.js';
import { appliedByKustomization, findFluxInstances } from './flux-instance.js';
import { bootstrapCommand, gitSource, MIGRATE_CLUSTER_SINCE, migrateFilesAction } from './flux-cli.js';
import { inspectInstallation, VERSION_CRD, type Installation } from './installation.js';
import { readInventory } from './inventory.js';
import { HELM_GROUP, isFluxGroup, KUSTOMIZE_GROUP } from './kinds.js';
import {
  compareMinor,
  FLUX_RELEASES,
  findRelease,
  kubernetesOlderThan,
  parseVersion,
  servedAs,
  type FluxRelease,
} from './releases.js';
import { field, stringField } from './status.js';

const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Objects listed per finding in the structured answer. */
const OBJECTS_MAX = 50;
/** Controllers `flux install` adds only with --components-extra. */
const EXTRA_COMPONENTS = ['image-reflector-controller', 'image-automation-controller', 'source-watcher'];

export const storageFindingSchema = z.object({
  crd: z.string(),
  kind: z.string(),
  storageVersion: z.string().optional(),
  storedVersions: z.array(z.string()),
  /** Versions in storedVersions that the target release does not serve: the upgrade fails until migrated. */
  removedInTarget: z.array(z.string()),
  /** Objects a storage migration would rewrite (all objects of the kind); undefined if not countable. */
  objects: z.number().optional(),
});

export const appliedObjectSchema = z.object({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  apiVersion: z.string(),
  /** The Kustomization or HelmRelease whose inventory holds it. */
  appliedBy: z.string(),
});

export const upgradeStepSchema = z.object({
  title: z.string(),
  /** Exact commands, tool calls or Git changes, in order. */
  actions: z.array(z.string()),
});

export const upgradeCheckSchema = z.object({
  context: z.string(),
  target: z.object({ requested: z.string(), minor: z.string(), version: z.string() }),
  installed: z.object({ version: z.string(), from: z.string() }).optional(),
  method: z.object({
    kind: z.enum(['flux-operator', 'bootstrap', 'install', 'other']),
    detail: z.string(),
  }),
  kubernetes: z.object({ version: z.string().optional(), minimum: z.string(), tooOld: z.boolean() }),
  storage: z.array(storageFindingSchema),
  removedInUse: z.array(appliedObjectSchema),
  deprecatedInUse: z.array(appliedObjectSchema),
  /** Entries of removedInUse and deprecatedInUse left out of the lists above. */
  omitted: z.object({ removedInUse: z.number(), deprecatedInUse: z.number() }),
  /** What stops the upgrade now, each a sentence. */
  blockers: z.array(z.string()),
  /** Worth knowing, not blocking. */
  warnings: z.array(z.string()),
  steps: z.array(upgradeStepSchema),
  notVisible: z.array(z.string()),
});

export type UpgradeCheck = z.infer<typeof upgradeCheckSchema>;
type AppliedObject = z.infer<typeof appliedObjectSchema>;
type StorageFinding = z.infer<typeof storageFindingSchema>;
type Step = z.infer<typeof upgradeStepSchema>;

export interface TargetRelease {
  requested: string;
  release: FluxRelease;
  /** `v2.9.5`: the exact version asked for, or the newest of the minor. */
  version: string;
}

/** The release a target such as `2.9`, `2.9.x`, `v2.9.5` or `2.x` names; a FluxError when unknown. */
export function resolveTarget(requested: string): TargetRelease {
  const v = parseVersion(requested);
  const known = FLUX_RELEASES.map((r) => r.minor).join(', ');
  if (!v) throw new FluxError(`"${requested}" is not a Flux version; give e.g. 2.9, 2.9.x or 2.9.5`);
  const release =
    v.minor < 0
      ? [...FLUX_RELEASES].reverse().find((r) => r.minor.startsWith(`${v.major}.`))
      : findRelease(`${v.major}.${v.minor}`);
  if (!release) {
    throw new FluxError(
      `Flux ${requested} is not a release this server knows what it serves; known releases: ${known}`,
    );
  }
  const version = v.patch !== undefined ? `v${v.major}.${v.minor}.${v.patch}` : release.latest;
  return { requested, release, version };
}

async function resolveOrUndefined(
  cluster: Cluster,
  query: { kind: string; group: string },
  signal: AbortSignal,
): Promise<ResourceType | undefined> {
  try {
    return await cluster.discovery.resolve(query, signal);
  } catch (err) {
    if (isKubeError(err, 'UnknownKind')) return undefined;
    throw err;
  }
}

/** Runs `read`, turning a refusal into a line of notVisible and undefined. */
async function visible<T>(
  what: string,
  notVisible: string[],
  read: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (!isKubeError(err, 'Forbidden')) throw err;
    notVisible.push(`${what} (forbidden)`);
    return undefined;
  }
}

async function storageFindings(
  cluster: Cluster,
  installation: Installation,
  target: FluxRelease,
  notVisible: string[],
  signal: AbortSignal,
): Promise<StorageFinding[]> {
  const findings: StorageFinding[] = [];
  for (const crd of installation.crds ?? []) {
    const old = crd.storedVersions.filter((v) => v !== crd.storageVersion);
    if (old.length === 0) continue;
    const removedInTarget = old.filter((v) => servedAs(target, crd.group, crd.kind, v) === 'removed');
    const r = await resolveOrUndefined(cluster, { kind: crd.kind, group: crd.group }, signal);
    const objects = r
      ? await visible(`${crd.kind} objects to count`, notVisible, () => cluster.count(r, { signal }))
      : undefined;
    findings.push({
      crd: crd.name,
      kind: crd.kind,
      ...(crd.storageVersion ? { storageVersion: crd.storageVersion } : {}),
      storedVersions: crd.storedVersions,
      removedInTarget,
      ...(objects !== undefined ? { objects } : {}),
    });
  }
  return findings;
}

interface Applier {
  ref: string;
  obj: KubeObject;
  kind: 'Kustomization' | 'HelmRelease';
}

async function appliers(cluster: Cluster, notVisible: string[], signal: AbortSignal): Promise<Applier[]> {
  const out: Applier[] = [];
  for (const [kind, group] of [
    ['Kustomization', KUSTOMIZE_GROUP],
    ['HelmRelease', HELM_GROUP],
  ] as const) {
    const r = await resolveOrUndefined(cluster, { kind, group }, signal);
    if (!r) continue;
    const items = await visible(`${kind} inventories in all namespaces`, notVisible, () =>
      cluster.listAll(r, { signal }),
    );
    for (const obj of items ?? []) {
      out.push({ ref: `${kind} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`, obj, kind });
    }
  }
  return out;
}

/** Flux objects in appliers' inventories whose apiVersion the target removes or deprecates. */
function appliedVersions(
  list: Applier[],
  target: FluxRelease,
): { removed: AppliedObject[]; deprecated: AppliedObject[] } {
  const removed: AppliedObject[] = [];
  const deprecated: AppliedObject[] = [];
  for (const a of list) {
    for (const o of readInventory(a.obj)?.objects ?? []) {
      if (!o.version || !isFluxGroup(o.group)) continue;
      const how = servedAs(target, o.group, o.kind, o.version);
      if (how !== 'removed' && how !== 'deprecated') continue;
      const entry = {
        kind: o.kind,
        namespace: o.namespace,
        name: o.name,
        apiVersion: `${o.group}/${o.version}`,
        appliedBy: a.ref,
      };
      (how === 'removed' ? removed : deprecated).push(entry);
    }
  }
  return { removed, deprecated };
}

interface Method {
  kind: UpgradeCheck['method']['kind'];
  detail: string;
  /** The FluxInstance, when the operator manages Flux. */
  instance?: KubeObject;
  /** The Kustomization that applies the components (bootstrap), when readable. */
  kustomization?: KubeObject;
  /** `namespace/name` of that Kustomization, from the CRD labels, readable or not. */
  kustomizationRef?: { namespace: string; name: string };
  /** The GitRepository it follows, when readable. */
  repository?: KubeObject;
  manager?: string;
}

async function installMethod(
  cluster: Cluster,
  installation: Installation,
  notVisible: string[],
  signal: AbortSignal,
): Promise<Method> {
  const instances = await visible('FluxInstance objects', notVisible, () =>
    findFluxInstances(cluster, undefined, signal),
  );
  const instance = instances?.items[0];
  if (instance) {
    const version = stringField(instance, 'spec', 'distribution', 'version') ?? '?';
    const git = appliedByKustomization(instance);
    return {
      kind: 'flux-operator',
      detail: `Flux Operator: FluxInstance ${instance.metadata?.namespace}/${instance.metadata?.name} (spec.distribution.version ${version})${git ? `, applied from Git by ${git}` : ''}`,
      instance,
    };
  }
  const crdType = await cluster.discovery.resolve(
    { kind: 'CustomResourceDefinition', apiVersion: 'apiextensions.k8s.io/v1' },
    signal,
  );
  const versionCrd = await visible(`CRD ${VERSION_CRD}`, notVisible, () =>
    cluster.get(crdType, undefined, VERSION_CRD, signal).catch((err: unknown) => {
      if (isKubeError(err, 'NotFound')) return undefined;
      throw err;
    }),
  );
  const manager = versionCrd?.metadata?.labels?.[MANAGED_BY_LABEL];
  if (manager === 'flux-operator') {
    return { kind: 'flux-operator', detail: 'Flux Operator (CRD label), but no FluxInstance is visible' };
  }
  if (manager && manager !== 'flux') {
    return { kind: 'other', detail: `installed by ${manager} (${MANAGED_BY_LABEL})`, manager };
  }
  const by = versionCrd ? appliedByKustomization(versionCrd) : installation.managedBy;
  if (by) {
    const [ns, name] = by.replace('Kustomization ', '').split('/');
    const ks = await resolveOrUndefined(cluster, { kind: 'Kustomization', group: KUSTOMIZE_GROUP }, signal);
    const kustomization = ks
      ? await visible(by, notVisible, () =>
          cluster.get(ks, ns, name ?? '', signal).catch((err: unknown) => {
            if (isKubeError(err, 'NotFound')) return undefined;
            throw err;
          }),
        )
      : undefined;
    const repository = kustomization
      ? await sourceRepository(cluster, kustomization, notVisible, signal)
      : undefined;
    return {
      kind: 'bootstrap',
      detail: `flux bootstrap: the components are applied from Git by ${by}${kustomization ? '' : ' (not found in the cluster)'}`,
      kustomizationRef: { namespace: ns ?? '', name: name ?? '' },
      ...(kustomization ? { kustomization } : {}),
      ...(repository ? { repository } : {}),
    };
  }
  return { kind: 'install', detail: 'flux install (not managed from Git)' };
}

/** The GitRepository a Kustomization follows, when it is one and readable. */
async function sourceRepository(
  cluster: Cluster,
  ks: KubeObject,
  notVisible: string[],
  signal: AbortSignal,
): Promise<KubeObject | undefined> {
  if (stringField(ks, 'spec', 'sourceRef', 'kind') !== 'GitRepository') return undefined;
  const name = stringField(ks, 'spec', 'sourceRef', 'name') ?? '';
  const ns = stringField(ks, 'spec', 'sourceRef', 'namespace') ?? ks.metadata?.namespace ?? '';
  const r = await resolveOrUndefined(
    cluster,
    { kind: 'GitRepository', group: 'source.toolkit.fluxcd.io' },
    signal,
  );
  if (!r) return undefined;
  return visible(`GitRepository ${ns}/${name}`, notVisible, () =>
    cluster.get(r, ns, name, signal).catch((err: unknown) => {
      if (isKubeError(err, 'NotFound')) return undefined;
      throw err;
    }),
  );
}

function extraComponents(installation: Installation): string {
  const extra = EXTRA_COMPONENTS.filter((c) => installation.controllers.some((d) => d.name === c));
  return extra.length > 0 ? ` --components-extra=${extra.join(',')}` : '';
}

function sourceOf(ks: KubeObject): string {
  const kind = stringField(ks, 'spec', 'sourceRef', 'kind') ?? 'source';
  const name = stringField(ks, 'spec', 'sourceRef', 'name') ?? '?';
  const ns = stringField(ks, 'spec', 'sourceRef', 'namespace') ?? ks.metadata?.namespace ?? '';
  return `${kind} ${ns}/${name}`;
}

function gitSteps(removed: AppliedObject[], list: Applier[], target: TargetRelease): Step | undefined {
  const minor = target.release.minor;
  if (removed.length === 0) return undefined;
  const byApplier = new Map<string, AppliedObject[]>();
  for (const o of removed) byApplier.set(o.appliedBy, [...(byApplier.get(o.appliedBy) ?? []), o]);
  const actions: string[] = [];
  for (const [ref, objects] of byApplier) {
    const applier = list.find((a) => a.ref === ref);
    const versions = [...new Set(objects.map((o) => `${o.kind} ${o.apiVersion}`))].join(', ');
    if (applier?.kind === 'Kustomization') {
      const path = stringField(applier.obj, 'spec', 'path') ?? '.';
      const ns = applier.obj.metadata?.namespace ?? '';
      const name = applier.obj.metadata?.name ?? '';
      actions.push(
        `${ref} applies ${versions}: in the repository of ${sourceOf(applier.obj)}, ${migrateFilesAction(path, target.release, target.version)}, commit and push, then reconcile_flux_kustomization name=${name} namespace=${ns} with_source=true`,
      );
    } else {
      actions.push(
        `${ref} renders ${versions}: change those apiVersions in the chart's templates and release a new chart version`,
      );
    }
  }
  return {
    title: `Rewrite the manifests in Git that use API versions Flux ${minor} does not serve (before the upgrade: the cluster still serves both)`,
    actions,
  };
}

function upgradeStep(method: Method, installation: Installation, target: TargetRelease): Step {
  const version = target.version;
  const minor = target.release.minor;
  switch (method.kind) {
    case 'flux-operator': {
      const instance = method.instance;
      if (!instance) {
        return {
          title: `Upgrade Flux to ${version} through the Flux Operator`,
          actions: [`set spec.distribution.version of the FluxInstance to "${minor}.x"`],
        };
      }
      const ref = `FluxInstance ${instance.metadata?.namespace}/${instance.metadata?.name}`;
      const current = stringField(instance, 'spec', 'distribution', 'version') ?? '';
      const wanted = /^v?\d+\.\d+\.\d+$/.test(current) ? version.replace(/^v/, '') : `${minor}.x`;
      const git = appliedByKustomization(instance);
      if (git) {
        return {
          title: `Upgrade Flux to ${version}: change the FluxInstance in Git (${git} applies it and would revert a change made in the cluster)`,
          actions: [
            `in the manifest of ${ref}, set spec.distribution.version: "${wanted}", commit and push`,
            `reconcile_flux_kustomization name=${git.split('/')[1]} namespace=${git.replace('Kustomization ', '').split('/')[0]} with_source=true, then watch ${ref} with get_flux_instance`,
          ],
        };
      }
      return {
        title: `Upgrade Flux to ${version} through the Flux Operator`,
        actions: [
          `upgrade_flux_instance version=${wanted} namespace=${instance.metadata?.namespace} (patches spec.distribution.version and waits for the FluxInstance and FluxReport)`,
        ],
      };
    }
    case 'bootstrap':
      return bootstrapStep(method, installation, version);
    case 'install':
      return {
        title: `Upgrade Flux to ${version} with the flux CLI`,
        actions: [
          `with flux CLI ${version}: \`flux install${installation.namespace !== 'flux-system' ? ` --namespace=${installation.namespace}` : ''}${extraComponents(installation)}\``,
        ],
      };
    case 'other':
      return {
        title: `Upgrade Flux to ${version} with the tool that installed it`,
        actions: [`Flux was ${method.detail}: upgrade it there to the release that bundles Flux ${version}`],
      };
  }
}

/**
 * The bootstrap upgrade with the Kustomization, repository and path found in the cluster; what could not be
 * found is named as what the user fills in, never made up.
 */
function bootstrapStep(method: Method, installation: Installation, version: string): Step {
  const ks = method.kustomization;
  const ref = method.kustomizationRef;
  const ksName = ref ? `Kustomization ${ref.namespace}/${ref.name}` : 'the Kustomization that applies Flux';
  const extra = extraComponents(installation);
  const path = ks ? stringField(ks, 'spec', 'path') : undefined;
  const source = gitSource(method.repository);
  const title = `Upgrade Flux to ${version} through Git (bootstrap)`;
  if (!ks || !path) {
    return {
      title,
      actions: [
        `${ksName} could not be read, so the repository and path are not known here: with flux CLI ${version}, re-run the flux bootstrap command used at installation (fill in the same provider, repository and --path); it commits <path>/flux-system/gotk-components.yaml and applies it`,
      ],
    };
  }
  const file = `${path.replace(/\/$/, '')}/flux-system/gotk-components.yaml`;
  const reconcile = `reconcile_flux_kustomization name=${ks.metadata?.name ?? ''} namespace=${ks.metadata?.namespace ?? ''} with_source=true`;
  const bootstrap = source
    ? `with flux CLI ${version}: \`${bootstrapCommand(source, path, extra)}\`, plus the options used at installation (credentials, --personal for a user's GitHub repository, ...); it commits ${file} and applies it`
    : `with flux CLI ${version}, re-run the flux bootstrap command used at installation with --path=${path}${extra} (${ksName} follows ${sourceOf(ks)}, which could not be read, so provider and repository are yours to fill in); it commits ${file} and applies it`;
  const where = source ? ` in ${source.url}${source.branch ? ` (branch ${source.branch})` : ''}` : '';
  return {
    title,
    actions: [
      bootstrap,
      `or, without bootstrap: \`flux install --export${extra} > ${file}\`${where} with flux CLI ${version}, commit and push, then ${reconcile}`,
    ],
  };
}

function objectsPhrase(n: number | undefined, kind: string): string {
  if (n === undefined) return `the ${kind} objects are`;
  return n === 1 ? `its 1 ${kind} object is` : `its ${n} ${kind} objects are`;
}

/**
 * Whether the Flux Operator migrates the stored objects itself: FluxInstance spec.migrateResources, true
 * unless set to false (flux-operator api/v1 fluxinstance_types.go GetMigrateResources).
 */
function operatorMigration(
  instance: KubeObject | undefined,
): { migrates: boolean; ref: string; name: string; namespace: string } | undefined {
  if (!instance) return undefined;
  const name = instance.metadata?.name ?? '';
  const namespace = instance.metadata?.namespace ?? '';
  return {
    migrates: field(instance, 'spec', 'migrateResources') !== false,
    ref: `FluxInstance ${namespace}/${name}`,
    name,
    namespace,
  };
}

export interface UpgradeCheckRequest {
  target: string;
  /** Namespace of the Flux controllers. */
  namespace: string;
  /** The installed version when the caller knows better than the labels (a FluxInstance's applied version). */
  installed?: { version: string; from: string };
}

export async function checkUpgrade(
  cluster: Cluster,
  req: UpgradeCheckRequest,
  signal: AbortSignal,
): Promise<UpgradeCheck> {
  const target = resolveTarget(req.target);
  const release = target.release;
  const installation = await inspectInstallation(cluster, req.namespace, signal);
  const notVisible = [...installation.notVisible];
  const [storage, list, method] = await Promise.all([
    storageFindings(cluster, installation, release, notVisible, signal),
    appliers(cluster, notVisible, signal),
    installMethod(cluster, installation, notVisible, signal),
  ]);
  const applied = appliedVersions(list, release);

  const blockers: string[] = [];
  const warnings: string[] = [];
  const distribution = req.installed ?? installation.distribution;
  const installedVersion = distribution?.version;
  const installed = installedVersion ? parseVersion(installedVersion) : undefined;
  const wanted = parseVersion(target.version)!;
  let upToDate = false;
  if (!installed) {
    warnings.push(
      'the installed Flux version is unknown (no app.kubernetes.io/version label on the Flux CRDs or controllers)',
    );
  } else if (compareMinor(wanted, installed) < 0) {
    blockers.push(
      `Flux ${installedVersion} is newer than ${target.version}: downgrading to an older minor is not supported (the Flux Operator refuses it; reinstall needed)`,
    );
  } else if (compareMinor(wanted, installed) === 0 && (installed.patch ?? 0) >= (wanted.patch ?? 0)) {
    upToDate = true;
  }
  const k8s = installation.kubernetesVersion;
  const tooOld = Boolean(k8s && kubernetesOlderThan(k8s, release.minKubernetes));
  if (tooOld) {
    blockers.push(
      `Kubernetes ${k8s} is older than ${release.minKubernetes}, the oldest Flux ${release.minor} supports`,
    );
  }
  for (const s of storage.filter((f) => f.removedInTarget.length > 0)) {
    blockers.push(
      `CRD ${s.crd} lists ${s.removedInTarget.join(', ')} in status.storedVersions, which Flux ${release.minor} does not serve: the API server would reject the new CRD until ${objectsPhrase(s.objects, s.kind)} migrated to ${s.storageVersion ?? 'the storage version'}`,
    );
  }
  if (applied.removed.length > 0) {
    const appliersWith = new Set(applied.removed.map((o) => o.appliedBy));
    blockers.push(
      `${applied.removed.length} Flux objects are applied from Git in API versions Flux ${release.minor} does not serve (by ${[...appliersWith].slice(0, 5).join(', ')}${appliersWith.size > 5 ? ` and ${appliersWith.size - 5} more` : ''}); their next apply would fail after the upgrade`,
    );
  }
  if (applied.deprecated.length > 0) {
    warnings.push(
      `${applied.deprecated.length} Flux objects are applied in API versions Flux ${release.minor} deprecates; a later release removes them`,
    );
  }
  const migratedByOperator = operatorMigration(method.instance)?.migrates ?? false;
  for (const s of storage.filter((f) => f.removedInTarget.length === 0)) {
    warnings.push(
      `CRD ${s.crd} still lists ${s.storedVersions.filter((v) => v !== s.storageVersion).join(', ')} in status.storedVersions; ${migratedByOperator ? 'the Flux Operator migrates it at its next reconcile (spec.migrateResources)' : 'migrate before a release that stops serving it'}`,
    );
  }
  for (const p of installation.problems.filter((p) => !/stored in/.test(p))) warnings.push(p);

  const steps: Step[] = [];
  if (tooOld) {
    steps.push({
      title: `Upgrade Kubernetes to ${release.minKubernetes} or newer first`,
      actions: [
        `Flux ${release.minor} supports Kubernetes ${release.minKubernetes} and newer (flux check --pre)`,
      ],
    });
  }
  const git = gitSteps(applied.removed, list, target);
  if (git) steps.push(git);
  const removedStored = storage.filter((s) => s.removedInTarget.length > 0);
  const operator = operatorMigration(method.instance);
  if (operator?.migrates) {
    // The Flux Operator rewrites the stored objects and trims storedVersions after each reconcile.
    if (removedStored.length > 0) {
      steps.push({
        title: `Let the Flux Operator migrate the stored objects before the upgrade (spec.migrateResources of ${operator.ref} is on)`,
        actions: [
          `it migrates them to the storage versions and trims storedVersions at the end of each reconcile of ${operator.ref}; request one now: reconcile_flux_resource kind=FluxInstance name=${operator.name} namespace=${operator.namespace}`,
          `then check_flux_upgrade version=${release.minor} again: if storedVersions still lists ${[...new Set(removedStored.flatMap((s) => s.removedInTarget))].join(', ')}, the operator's migration failed (its log says "failed to migrate resources"): migrate_flux_storage dry_run=true, then dry_run=false`,
        ],
      });
    }
  } else if (removedStored.length > 0 || (!upToDate && storage.length > 0)) {
    steps.push({
      title:
        'Migrate the stored objects to the storage versions and trim storedVersions, with the current CRDs still installed',
      actions: [
        `${operator ? `spec.migrateResources of ${operator.ref} is false, so the Flux Operator does not do it: ` : ''}migrate_flux_storage dry_run=true to see what it does, then migrate_flux_storage dry_run=false`,
        `or with flux CLI ${MIGRATE_CLUSTER_SINCE} or newer: \`flux migrate\``,
      ],
    });
  }
  if (!upToDate && installed && compareMinor(wanted, installed) >= 0) {
    steps.push(upgradeStep(method, installation, target));
    steps.push({
      title: 'Verify',
      actions: [
        `get_flux_instance: every controller on ${target.version} and ready, no problems`,
        `check_flux_upgrade version=${release.minor}: nothing left to migrate`,
      ],
    });
  }

  return {
    context: cluster.context,
    target: { requested: target.requested, minor: release.minor, version: target.version },
    ...(distribution ? { installed: distribution } : {}),
    method: { kind: method.kind, detail: method.detail },
    kubernetes: { ...(k8s ? { version: k8s } : {}), minimum: release.minKubernetes, tooOld },
    storage,
    removedInUse: applied.removed.slice(0, OBJECTS_MAX),
    deprecatedInUse: applied.deprecated.slice(0, OBJECTS_MAX),
    omitted: {
      removedInUse: Math.max(0, applied.removed.length - OBJECTS_MAX),
      deprecatedInUse: Math.max(0, applied.deprecated.length - OBJECTS_MAX),
    },
    blockers,
    warnings,
    steps,
    notVisible,
  };
}
