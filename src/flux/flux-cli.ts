// flux CLI commands the upgrade steps print, written so that the CLI release they name accepts them
// (docs/upgrade-commands.md). `flux migrate` (fluxcd/flux2 cmd/flux/migrate.go) changed across releases:
// 2.7.0 migrates the cluster's storage only; 2.7.1 added `-f <path>` (rewrite manifests in a checkout) with
// `--version <minor>`, whose accepted values are a table in each release that lags behind: 2.7.1-2.7.5 know
// 2.6 and 2.7, 2.8.0-2.9.3 know 2.6 to 2.8, 2.9.4 and newer know 2.6 to 2.9. Without --version the CLI
// rewrites to the API versions of the newest minor it knows, and those are the same for 2.7, 2.8 and 2.9.
import type { KubeObject } from '../kube/types.js';
import { parseVersion, type FluxRelease } from './releases.js';
import { stringField } from './status.js';

interface MigrateRelease {
  since: string;
  /** The --version values this release and the ones after it (until the next row) accept. */
  minors: readonly string[];
}

/** Newest first. */
const MIGRATE_FILES: readonly MigrateRelease[] = [
  { since: '2.9.4', minors: ['2.6', '2.7', '2.8', '2.9'] },
  { since: '2.8.0', minors: ['2.6', '2.7', '2.8'] },
  { since: '2.7.1', minors: ['2.6', '2.7'] },
];

/** The first release with `flux migrate` (cluster mode only). */
export const MIGRATE_CLUSTER_SINCE = '2.7.0';

function atLeast(version: string, since: string): boolean {
  const a = parseVersion(version);
  const b = parseVersion(since);
  if (!a || !b || a.minor < 0) return false;
  return (
    (a.major - b.major || a.minor - b.minor || (a.patch ?? Number.MAX_SAFE_INTEGER) - (b.patch ?? 0)) >= 0
  );
}

/** The oldest CLI release whose `flux migrate -f` accepts `--version <minor>`. */
export function migrateVersionSince(minor: string): string | undefined {
  return [...MIGRATE_FILES].reverse().find((r) => r.minors.includes(minor))?.since;
}

/**
 * What to do, with flux CLI `cli`, to rewrite the manifests under `path` to the API versions of `target`:
 * a sentence with the exact command that CLI accepts, and which CLI releases accept it.
 */
export function migrateFilesAction(path: string, target: FluxRelease, cli: string): string {
  const minor = target.minor;
  const since = migrateVersionSince(minor);
  const row = MIGRATE_FILES.find((r) => atLeast(cli, r.since));
  if (!row) {
    const versions = target.kinds
      .filter((k) => k.served.length > 0)
      .map((k) => `${k.kind} ${k.group}/${k.storage}`)
      .join(', ');
    return `flux CLI ${cli} has no \`flux migrate -f\` (2.7.1 and newer have it): change the apiVersion lines by hand to the versions Flux ${minor} stores (${versions})`;
  }
  if (row.minors.includes(minor)) {
    return `run \`flux migrate -f ${path} --version ${minor}\` with flux CLI ${cli} (CLIs ${since} and newer accept --version ${minor})`;
  }
  return `run \`flux migrate -f ${path}\` with flux CLI ${cli} (it refuses --version ${minor}, which ${since ? `CLIs ${since} and newer accept` : 'no CLI known here accepts'}; without it, it rewrites to the API versions of Flux ${row.minors[row.minors.length - 1]}, which are those of Flux ${minor})`;
}

export interface GitSource {
  url: string;
  branch?: string;
}

/** The repository a GitRepository fetches: URL and branch. */
export function gitSource(repo: KubeObject | undefined): GitSource | undefined {
  const url = stringField(repo, 'spec', 'url');
  if (!url) return undefined;
  const branch = stringField(repo, 'spec', 'ref', 'branch');
  return { url, ...(branch ? { branch } : {}) };
}

/** `owner` and `repository` of a github.com or gitlab.com URL (HTTPS or SSH), else undefined. */
function hosted(
  url: string,
): { provider: 'github' | 'gitlab'; owner: string; repository: string } | undefined {
  const m =
    /^(?:https?:\/\/|ssh:\/\/git@|git@)(github\.com|gitlab\.com)[/:](.+?)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
  if (!m) return undefined;
  return { provider: m[1] === 'github.com' ? 'github' : 'gitlab', owner: m[2]!, repository: m[3]! };
}

/**
 * `flux bootstrap` for the repository and cluster path found in the cluster: `github` or `gitlab` for those
 * hosts, `git --url` for any other. `extra` is e.g. ` --components-extra=image-reflector-controller`.
 */
export function bootstrapCommand(source: GitSource, path: string, extra: string): string {
  const branch = source.branch ? ` --branch=${source.branch}` : '';
  const h = hosted(source.url);
  if (h) {
    return `flux bootstrap ${h.provider} --owner=${h.owner} --repository=${h.repository}${branch} --path=${path}${extra}`;
  }
  return `flux bootstrap git --url=${source.url}${branch} --path=${path}${extra}`;
}
