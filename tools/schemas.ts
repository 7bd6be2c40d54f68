// Input schemas shared by tools. Names are checked here, before any API call.
import { z } from 'zod';
import { parseDuration } from '../src/flux/duration.js';
import { FLUX_KINDS, type FluxKind } from '../src/flux/kinds.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

// Names are checked with refinements rather than patterns: the check is the same, and the JSON Schema a
// client puts in the model's context stays `{"type":"string"}` instead of carrying the regular expression
// into every tool of the list. What the shared parameters mean is said once, in the server instructions.

const isName = (s: string) => s.length >= 1 && s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
const isNamespace = (s: string) => s.length <= 63 && DNS1123_LABEL.test(s);

export const objectName = z
  .string()
  .refine(isName, 'must be a valid Kubernetes name: lowercase letters, digits, "-" and "."');

/**
 * The namespace of a Flux object when a call gives none, as the flux CLI has it (`--namespace`, default
 * flux-system); tools declare it as their defaultNamespace.
 */
export const FLUX_CLI_NAMESPACE = 'flux-system';

export const namespaceName = z
  .string()
  .refine(isNamespace, 'must be a valid namespace name: lowercase letters, digits and "-", at most 63');

/**
 * A string of 1 to `max` characters, checked by a refinement so that the bounds do not travel in the
 * JSON Schema of every parameter.
 */
export function text(max: number) {
  return z.string().refine((s) => s.length >= 1 && s.length <= max, `must be 1 to ${max} characters`);
}

export const contextName = text(253).optional();

/** A namespace, or "" for all namespaces. */
export const namespaceOrAll = z
  .string()
  .refine((s) => s === '' || isNamespace(s), 'must be a namespace name, or "" for all namespaces');

/** Only what is newer than this duration. */
export const sinceParam = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, 'must be a duration such as "30m" or "2h"')
  .optional();

export const kindName = z
  .string()
  .refine((s) => /^[A-Za-z][A-Za-z0-9]{0,99}$/.test(s), 'must be a Kubernetes kind such as Kustomization')
  .describe('E.g. HelmRelease or Pod.');

/**
 * A Flux kind, for tools that act on some of them: the description says which kinds `accepts` lets
 * through (by naming the few it does not, when that is shorter), so a model does not try a kind the tool
 * refuses.
 */
export function fluxKindName(accepts: (k: FluxKind) => boolean) {
  const accepted = FLUX_KINDS.filter(accepts).map((k) => k.kind);
  const refused = FLUX_KINDS.filter((k) => !accepts(k)).map((k) => k.kind);
  return kindName.describe(
    refused.length > 0 && refused.length < accepted.length
      ? `Any Flux kind but ${refused.join(', ')}.`
      : `Flux kind: ${accepted.join(', ')}.`,
  );
}

export const apiVersionName = z
  .string()
  .refine(
    (s) => /^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(s),
    'must be an API version such as kustomize.toolkit.fluxcd.io/v1 or v1',
  );

/** An optional count bounded by `max` (each tool has its own default, said in the instructions' terms). */
export function limitParam(max: number, description?: string) {
  const limit = z
    .number()
    .refine((n) => Number.isInteger(n) && n >= 1 && n <= max, `must be a whole number from 1 to ${max}`)
    .optional();
  return description ? limit.describe(description) : limit;
}

/** Several contexts at once, for the fleet view; the server instructions say what it does. */
export const contextsParam = z
  .union([z.literal('all'), z.array(z.string())])
  .refine(
    (v) => v === 'all' || (v.length >= 1 && v.length <= 1000 && v.every((c) => c.length > 0)),
    'must be "all" or a list of 1 to 1000 context names',
  )
  .optional();

/** Where the Flux controllers run; the server instructions give the default (flux-system). */
export const controllersNamespace = namespaceName.optional();

/** A Helm release revision: 1 or more. */
export const revisionNumber = z
  .number()
  .refine((n) => Number.isInteger(n) && n >= 1, 'must be a Helm revision: a whole number, 1 or more');

/** A duration before now ("30m", "2h") or an RFC 3339 time ("2026-11-26T14:05:00Z"). */
export const pointInTime = z
  .string()
  .refine(
    (s) => parseDuration(s) !== undefined || (/^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s))),
    'must be a duration such as "1h" or an RFC 3339 time such as "2026-11-26T14:05:00Z"',
  )
  .optional();

/** Milliseconds since the epoch of a pointInTime value. */
export function pointInTimeMs(value: string, now: number): number {
  const ms = parseDuration(value);
  return ms !== undefined ? now - ms : Date.parse(value);
}

/** How many items of a list to skip: the page an answer's "more" line names. */
export const offsetParam = z
  .number()
  .refine((n) => Number.isInteger(n) && n >= 0, 'must be a whole number, 0 or more')
  .optional();
