// Input schemas shared by tools. Names are checked here, before any API call.
import { z } from 'zod';
import { FLUX_KINDS, type FluxKind } from '../src/flux/kinds.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const objectName = z
  .string()
  .min(1)
  .max(253)
  .regex(DNS1123_SUBDOMAIN, 'must be a valid Kubernetes name: lowercase letters, digits, "-" and "."')
  .describe('Object name.');

export const namespaceName = z
  .string()
  .max(63)
  .regex(DNS1123_LABEL, 'must be a valid namespace name: lowercase letters, digits and "-", at most 63')
  .describe('Namespace.');

export const contextName = z
  .string()
  .min(1)
  .optional()
  .describe(
    'Kubeconfig context to use; defaults to the session context (set_kubeconfig_context) or the server default.',
  );

export const kindName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z][A-Za-z0-9]*$/, 'must be a Kubernetes kind such as Kustomization')
  .describe(
    'Kind, e.g. Kustomization, HelmRelease, GitRepository, Deployment. Plural and short names work too.',
  );

/**
 * A Flux kind, for tools that act on some of them: the description lists the kinds `accepts` lets
 * through, so a model does not try a kind the tool refuses.
 */
export function fluxKindName(accepts: (k: FluxKind) => boolean) {
  const kinds = FLUX_KINDS.filter(accepts).map((k) => k.kind);
  return kindName.describe(`Flux kind: ${kinds.join(', ')}. Short names such as ks and hr work too.`);
}

export const apiVersionName = z
  .string()
  .regex(
    /^([a-z0-9.-]+\/)?v[0-9a-z]+$/,
    'must be an API version such as kustomize.toolkit.fluxcd.io/v1 or v1',
  )
  .describe(
    'API version, e.g. kustomize.toolkit.fluxcd.io/v1. Optional: the version the cluster prefers is used.',
  );

/** An optional count bounded by `max`; the description says what is counted and the default. */
export function limitParam(max: number, description: string) {
  return z.number().int().min(1).max(max).optional().describe(description);
}
