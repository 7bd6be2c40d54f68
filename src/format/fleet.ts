// The fleet view as text and structure: one line per cluster first (Flux version, counts, or why it did
// not answer), then the problems grouped by cluster, bounded per cluster and in the number of clusters shown.
import { z } from 'zod';
import type { ClusterStatus } from '../flux/fleet.js';
import type { Installation } from '../flux/installation.js';
import {
  failingObjectSchema,
  staleObjectSchema,
  suspendedObjectSchema,
  totalsSchema,
} from '../flux/overview.js';
import { CLUSTER_STATES, type FleetEntry } from '../kube/fleet.js';
import { counts, facts, keyed } from './compact.js';
import {
  countsPhrase,
  failingLines,
  staleLine,
  suspendedLine,
  TEXT_MESSAGE_MAX,
  visibilityLines,
} from './overview.js';
import { compactCounts, compactProblems, compactProblemsShape, countsSchema } from './overview-compact.js';
import { formatDuration, plural, truncate } from './text.js';

/** Clusters whose problems are listed in the text; the others are named. */
const CLUSTERS_SHOWN = 20;
const MESSAGE_MAX = 300;
const ERROR_MAX = 200;

const clusterShape = {
  context: z.string(),
  state: z.enum(CLUSTER_STATES),
  /** Why the cluster gave no answer. */
  error: z.string().optional(),
  durationMs: z.number(),
};

export const fleetSummarySchema = z.object({
  contexts: z.number(),
  answered: z.number(),
  /** Answered, with at least one problem. */
  withProblems: z.number(),
  /** Flux versions and how many clusters run each. */
  versions: z.array(z.object({ version: z.string(), clusters: z.number() })),
  durationMs: z.number(),
});

export const statusClusterSchema = z.object({
  ...clusterShape,
  fluxVersion: z.string().optional(),
  totals: totalsSchema.optional(),
  failing: z.array(failingObjectSchema).optional(),
  suspended: z.array(suspendedObjectSchema).optional(),
  stale: z.array(staleObjectSchema).optional(),
  omitted: z.object({ failing: z.number(), suspended: z.number(), stale: z.number() }).optional(),
  /** What this user could not read there, when anything. */
  notVisible: z.string().optional(),
});

export const instanceClusterSchema = z.object({
  ...clusterShape,
  fluxVersion: z.string().optional(),
  kubernetesVersion: z.string().optional(),
  controllers: z.object({ total: z.number(), ready: z.number() }).optional(),
  problems: z.array(z.string()).optional(),
});

/** Clusters named after the first CLUSTERS_SHOWN with a kind of problem: how many, and the first 30. */
const unlistedSchema = z.record(z.string(), z.object({ count: z.number(), names: z.array(z.string()) }));

const compactFleetShape = {
  contexts: z.number(),
  answered: z.number(),
  withProblems: z.number().optional(),
  versions: z.record(z.string(), z.number()).optional(),
  took: z.string(),
  unlisted: unlistedSchema.optional(),
  next: z.string().optional(),
};

/** get_flux_status over many contexts, compact: a line per cluster, its problems keyed by object name. */
export const compactFleetStatusShape = {
  ...compactFleetShape,
  clusters: z.record(
    z.string(),
    z.object({
      error: z.string().optional(),
      flux: z.string().optional(),
      counts: countsSchema.optional(),
      notVisible: z.boolean().optional(),
      ...compactProblemsShape,
    }),
  ),
};

/** get_flux_instance over many contexts, compact. */
export const compactFleetInstallationsShape = {
  ...compactFleetShape,
  clusters: z.record(
    z.string(),
    z.object({
      error: z.string().optional(),
      flux: z.string().optional(),
      kubernetes: z.string().optional(),
      controllers: z.string().optional(),
      problems: z.array(z.string()).optional(),
    }),
  ),
};

export type CompactFleetStatus = z.infer<z.ZodObject<typeof compactFleetStatusShape>>;
export type CompactFleetInstallations = z.infer<z.ZodObject<typeof compactFleetInstallationsShape>>;

export type StatusCluster = z.infer<typeof statusClusterSchema>;
export type InstanceCluster = z.infer<typeof instanceClusterSchema>;
export type FleetSummary = z.infer<typeof fleetSummarySchema>;

function failure(e: FleetEntry<unknown>): string {
  const why = truncate((e.error ?? e.state).replace(/ \(context [^\s)]+\)/, ''), ERROR_MAX);
  // Most messages name the state already ("forbidden: ...", "cluster unreachable: ...").
  return why.slice(0, 30).includes(e.state) ? why : `${e.state}: ${why}`;
}

function summary(
  entries: FleetEntry<unknown>[],
  versionOf: (e: FleetEntry<unknown>) => string | undefined,
  problems: (e: FleetEntry<unknown>) => boolean,
  durationMs: number,
): FleetSummary {
  const versions = new Map<string, number>();
  for (const e of entries.filter((x) => x.state === 'ok')) {
    const v = versionOf(e) ?? 'unknown';
    versions.set(v, (versions.get(v) ?? 0) + 1);
  }
  return {
    contexts: entries.length,
    answered: entries.filter((e) => e.state === 'ok').length,
    withProblems: entries.filter((e) => e.state === 'ok' && problems(e)).length,
    versions: [...versions]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([version, clusters]) => ({ version, clusters })),
    durationMs,
  };
}

function headline(what: string, s: FleetSummary, problemWord: string): string {
  const silent = s.contexts - s.answered;
  const versions = s.versions.map((v) => `${v.version} (${v.clusters})`).join(', ');
  return `${what} across ${plural(s.contexts, 'context')} in ${formatDuration(s.durationMs)}: ${s.answered} answered${
    silent > 0 ? `, ${silent} did not` : ''
  }; ${s.withProblems} with ${problemWord}.${versions ? ` Flux versions: ${versions}.` : ''}`;
}

function pad(entries: FleetEntry<unknown>[]): (context: string) => string {
  const width = Math.min(30, Math.max(...entries.map((e) => e.context.length), 0));
  return (c) => c.padEnd(width);
}

/** The fleet's summary as the headline gives it: contexts, answers, problems, versions, time. */
function compactSummary(s: FleetSummary) {
  return {
    contexts: s.contexts,
    answered: s.answered,
    ...facts({
      withProblems: s.withProblems,
      versions: Object.fromEntries(s.versions.map((v) => [v.version, v.clusters])),
    }),
    took: formatDuration(s.durationMs),
  };
}

/** The clusters a section names without listing their problems, as `tail` writes them. */
function unlisted(names: string[]): { count: number; names: string[] } | undefined {
  if (names.length <= CLUSTERS_SHOWN) return undefined;
  const rest = names.slice(CLUSTERS_SHOWN);
  return { count: rest.length, names: rest.slice(0, 30) };
}

function tail(names: string[], what: string): string[] {
  if (names.length <= CLUSTERS_SHOWN) return [];
  const rest = names.slice(CLUSTERS_SHOWN);
  return [
    `  ${plural(rest.length, 'more cluster')} with ${what}: ${rest.slice(0, 30).join(', ')}${rest.length > 30 ? ', ...' : ''}`,
  ];
}

/** get_flux_status over many contexts; `limit` bounds each cluster's lists. */
export function renderFleetStatus(
  entries: FleetEntry<ClusterStatus>[],
  limit: number,
  durationMs: number,
  now: number = Date.now(),
): { text: string; clusters: StatusCluster[]; fleet: FleetSummary; compact: CompactFleetStatus } {
  const hasProblems = (o: ClusterStatus['overview']) =>
    o.failing.length + o.suspended.length + o.stale.length > 0;
  const clusters: StatusCluster[] = entries.map((e) => {
    const base = { context: e.context, state: e.state, durationMs: e.durationMs };
    if (e.state !== 'ok' || !e.value) return { ...base, error: failure(e) };
    const o = e.value.overview;
    const visible = visibilityLines(o.visibility);
    return {
      ...base,
      ...(e.value.version ? { fluxVersion: e.value.version } : {}),
      totals: o.totals,
      failing: o.failing
        .slice(0, limit)
        .map((f) => (f.message ? { ...f, message: truncate(f.message, MESSAGE_MAX) } : f)),
      suspended: o.suspended.slice(0, limit),
      stale: o.stale.slice(0, limit),
      omitted: {
        failing: Math.max(0, o.failing.length - limit),
        suspended: Math.max(0, o.suspended.length - limit),
        stale: Math.max(0, o.stale.length - limit),
      },
      ...(visible.length > 0 ? { notVisible: visible.join(' ') } : {}),
    };
  });
  const fleet = summary(
    entries,
    (e) => (e.value as ClusterStatus | undefined)?.version,
    (e) => hasProblems((e.value as ClusterStatus).overview),
    durationMs,
  );
  const col = pad(entries);
  const lines = [headline('Flux', fleet, 'failing, suspended or stale objects')];
  for (const c of clusters) {
    if (c.state !== 'ok' || !c.totals) {
      lines.push(`  ${col(c.context)}  ${c.error}`);
      continue;
    }
    const t = c.totals;
    const counts =
      t.total === 0 ? 'no Flux objects' : `${plural(t.total, 'object')}: ${countsPhrase(t, true)}`;
    lines.push(
      `  ${col(c.context)}  ${c.fluxVersion ?? 'version unknown'}  ${counts}${c.notVisible ? '  (not all visible)' : ''}`,
    );
  }
  const section = (
    title: string,
    pick: (c: StatusCluster) => string[],
    omitted: (c: StatusCluster) => number,
    what: string,
  ) => {
    const withAny = clusters.filter((c) => pick(c).length > 0);
    if (withAny.length === 0) return;
    lines.push(`${title}, by cluster:`);
    for (const c of withAny.slice(0, CLUSTERS_SHOWN)) {
      lines.push(`  ${c.context}:`);
      lines.push(...pick(c).map((l) => `  ${l}`));
      const more = omitted(c);
      if (more > 0) lines.push(`    ${more} more ${what}: get_flux_status context=${c.context}`);
    }
    lines.push(
      ...tail(
        withAny.map((c) => c.context),
        what,
      ),
    );
  };
  section(
    'Failing (newest first)',
    (c) => (c.failing ?? []).flatMap((f) => failingLines(f, now)),
    (c) => c.omitted?.failing ?? 0,
    'failing',
  );
  section(
    'Suspended',
    (c) => (c.suspended ?? []).map((s) => suspendedLine(s, now)),
    (c) => c.omitted?.suspended ?? 0,
    'suspended',
  );
  section(
    'Stale',
    (c) => (c.stale ?? []).map((s) => staleLine(s, now)),
    (c) => c.omitted?.stale ?? 0,
    'stale',
  );
  return { text: lines.join('\n'), clusters, fleet, compact: compactFleetStatus(clusters, fleet, now) };
}

/** The compact form of the fleet's get_flux_status: what the text shows, cluster by cluster. */
function compactFleetStatus(clusters: StatusCluster[], fleet: FleetSummary, now: number): CompactFleetStatus {
  const sections = ['failing', 'suspended', 'stale'] as const;
  // Each section lists the problems of its first CLUSTERS_SHOWN clusters that have any.
  const listed = new Map<string, Set<string>>();
  const rest: Record<string, { count: number; names: string[] }> = {};
  for (const section of sections) {
    const withAny = clusters.filter((c) => (c[section]?.length ?? 0) > 0).map((c) => c.context);
    listed.set(section, new Set(withAny.slice(0, CLUSTERS_SHOWN)));
    const names = unlisted(withAny);
    if (names) rest[section] = names;
  }
  const shown = (c: StatusCluster, section: (typeof sections)[number]) =>
    listed.get(section)!.has(c.context) ? (c[section]?.length ?? 0) : 0;
  let cut = false;
  const byCluster = keyed(
    clusters,
    (c) => c.context,
    (c) => {
      if (c.state !== 'ok' || !c.totals) return { error: c.error ?? c.state };
      const problems = compactProblems(
        {
          failing: (c.failing ?? []).slice(0, shown(c, 'failing')),
          suspended: (c.suspended ?? []).slice(0, shown(c, 'suspended')),
          stale: (c.stale ?? []).slice(0, shown(c, 'stale')),
        },
        { failing: shown(c, 'failing'), suspended: shown(c, 'suspended'), stale: shown(c, 'stale') },
        { now, messageMax: TEXT_MESSAGE_MAX, reasonMax: TEXT_MESSAGE_MAX },
      );
      const more = counts({
        failing: c.omitted?.failing ?? 0,
        suspended: c.omitted?.suspended ?? 0,
        stale: c.omitted?.stale ?? 0,
      });
      if (Object.keys(more).length > 0) cut = true;
      return facts({
        flux: c.fluxVersion,
        counts: compactCounts(c.totals),
        notVisible: c.notVisible !== undefined,
        ...problems,
        more,
      });
    },
  );
  return {
    ...compactSummary(fleet),
    clusters: byCluster,
    ...(Object.keys(rest).length > 0 ? { unlisted: rest } : {}),
    ...(cut || Object.keys(rest).length > 0
      ? { next: 'get_flux_status context=<context>: all of one cluster' }
      : {}),
  };
}

/** get_flux_instance over many contexts. */
export function renderFleetInstallations(
  entries: FleetEntry<Installation>[],
  durationMs: number,
): { text: string; clusters: InstanceCluster[]; fleet: FleetSummary; compact: CompactFleetInstallations } {
  const clusters: InstanceCluster[] = entries.map((e) => {
    const base = { context: e.context, state: e.state, durationMs: e.durationMs };
    if (e.state !== 'ok' || !e.value) return { ...base, error: failure(e) };
    const i = e.value;
    return {
      ...base,
      ...(i.distribution ? { fluxVersion: i.distribution.version } : {}),
      ...(i.kubernetesVersion ? { kubernetesVersion: i.kubernetesVersion } : {}),
      controllers: { total: i.controllers.length, ready: i.controllers.filter((c) => c.ready).length },
      problems: i.problems,
    };
  });
  const fleet = summary(
    entries,
    (e) => (e.value as Installation | undefined)?.distribution?.version,
    (e) => (e.value as Installation).problems.length > 0,
    durationMs,
  );
  const col = pad(entries);
  const lines = [headline('Flux installations', fleet, 'problems')];
  for (const c of clusters) {
    if (c.state !== 'ok' || !c.controllers) {
      lines.push(`  ${col(c.context)}  ${c.error}`);
      continue;
    }
    const problems = c.problems?.length ? plural(c.problems.length, 'problem') : 'no problems';
    lines.push(
      `  ${col(c.context)}  Flux ${c.fluxVersion ?? '(version unknown)'}  Kubernetes ${c.kubernetesVersion ?? '?'}  ${c.controllers.ready}/${c.controllers.total} controllers ready  ${problems}`,
    );
  }
  const withProblems = clusters.filter((c) => (c.problems?.length ?? 0) > 0);
  if (withProblems.length > 0) {
    lines.push('Problems, by cluster:');
    for (const c of withProblems.slice(0, CLUSTERS_SHOWN)) {
      lines.push(`  ${c.context}:`);
      for (const p of c.problems!) lines.push(`    - ${truncate(p, 2 * MESSAGE_MAX)}`);
    }
    lines.push(
      ...tail(
        withProblems.map((c) => c.context),
        'problems',
      ),
    );
  }
  const listed = new Set(withProblems.slice(0, CLUSTERS_SHOWN).map((c) => c.context));
  const rest = unlisted(withProblems.map((c) => c.context));
  const compact: CompactFleetInstallations = {
    ...compactSummary(fleet),
    clusters: keyed(
      clusters,
      (c) => c.context,
      (c) =>
        c.state !== 'ok' || !c.controllers
          ? { error: c.error ?? c.state }
          : facts({
              flux: c.fluxVersion,
              kubernetes: c.kubernetesVersion,
              controllers: `${c.controllers.ready}/${c.controllers.total} ready`,
              problems: listed.has(c.context)
                ? c.problems?.map((p) => truncate(p, 2 * MESSAGE_MAX))
                : undefined,
            }),
    ),
    ...(rest
      ? { unlisted: { problems: rest }, next: 'get_flux_instance context=<context>: one cluster' }
      : {}),
  };
  return { text: lines.join('\n'), clusters, fleet, compact };
}
