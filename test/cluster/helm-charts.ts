// Helm chart repositories on disk, served over HTTP by the sources server: one directory per repository
// with `index.yaml` and the packaged charts (`<name>-<version>.tgz`), written the way `helm package` and
// `helm repo index` lay them out (https://helm.sh/docs/topics/chart_repository/).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { tgz } from './tar.js';

export interface ChartSpec {
  name: string;
  version: string;
  appVersion?: string;
  /** File name under templates/ -> template text. */
  templates: Record<string, string>;
  values?: Record<string, unknown>;
}

interface IndexEntry {
  apiVersion: string;
  name: string;
  version: string;
  appVersion?: string;
  created: string;
  digest: string;
  urls: string[];
}

interface RepositoryIndex {
  apiVersion: 'v1';
  entries: Record<string, IndexEntry[]>;
  generated: string;
}

/** The packaged chart, as `helm package` makes it: a gzipped tar with one top-level directory. */
export function packageChart(chart: ChartSpec): Buffer {
  const files: Record<string, string> = {
    [`${chart.name}/Chart.yaml`]: stringify({
      apiVersion: 'v2',
      name: chart.name,
      version: chart.version,
      appVersion: chart.appVersion ?? chart.version,
      type: 'application',
    }),
    [`${chart.name}/values.yaml`]: stringify(chart.values ?? {}),
  };
  for (const [file, text] of Object.entries(chart.templates)) files[`${chart.name}/templates/${file}`] = text;
  return tgz(files);
}

export class HelmChartRepository {
  /**
   * @param dir where index.yaml and the charts live
   * @param url the URL the directory is served at (what a HelmRepository's spec.url names)
   */
  constructor(
    readonly dir: string,
    readonly url: string,
  ) {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(this.indexPath)) this.writeIndex({ apiVersion: 'v1', entries: {}, generated: now() });
  }

  private get indexPath(): string {
    return join(this.dir, 'index.yaml');
  }

  private writeIndex(index: RepositoryIndex): void {
    // Written whole and renamed, so a controller never reads half an index.
    writeFileSync(`${this.indexPath}.tmp`, stringify(index));
    renameSync(`${this.indexPath}.tmp`, this.indexPath);
  }

  /** Packages the chart, stores it and lists it in index.yaml (replacing the same version). */
  publish(chart: ChartSpec): void {
    const data = packageChart(chart);
    const file = `${chart.name}-${chart.version}.tgz`;
    writeFileSync(join(this.dir, file), data);
    const index = parse(readFileSync(this.indexPath, 'utf8')) as RepositoryIndex;
    const entry: IndexEntry = {
      apiVersion: 'v2',
      name: chart.name,
      version: chart.version,
      appVersion: chart.appVersion ?? chart.version,
      created: now(),
      digest: createHash('sha256').update(data).digest('hex'),
      urls: [`${this.url}/${file}`],
    };
    const others = (index.entries[chart.name] ?? []).filter((e) => e.version !== chart.version);
    index.entries[chart.name] = [entry, ...others];
    index.generated = now();
    this.writeIndex(index);
  }
}

function now(): string {
  return new Date().toISOString();
}
