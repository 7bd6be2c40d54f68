// Building a local directory the way `flux build kustomization --path` does (fluxcd/flux2
// internal/build/build.go, fluxcd/pkg kustomize/kustomize_generator.go): a directory of plain YAML is every
// .yaml and .yml file in it and below; a directory with a kustomization.yaml is a kustomize overlay, built
// by a `kustomize` or `kubectl` binary when the server's PATH has one. Only directories under the allowed
// roots are read (--allowed-paths), symbolic links included; an overlay may not reach outside them nor name
// remote bases.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, lstat, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, relative, sep } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../kube/types.js';
import { FluxError } from './errors.js';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const MAX_FILES = 5_000;
const MAX_BYTES = 64 * 1024 * 1024;
const BUILD_TIMEOUT_MS = 60_000;

export interface KustomizeBinary {
  name: 'kustomize' | 'kubectl';
  path: string;
}

/** `kustomize`, else `kubectl` (which embeds kustomize), from the server's PATH. */
export async function findKustomize(
  path: string = process.env.PATH ?? '',
): Promise<KustomizeBinary | undefined> {
  for (const name of ['kustomize', 'kubectl'] as const) {
    for (const dir of path.split(delimiter).filter(Boolean)) {
      const candidate = join(dir, name);
      try {
        await access(candidate, constants.X_OK);
        if ((await stat(candidate)).isFile()) return { name, path: candidate };
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export function describeBinary(b: KustomizeBinary): string {
  return b.name === 'kustomize' ? 'kustomize' : 'kubectl kustomize';
}

/** Checks that `path` lies in one of the allowed roots; `undefined` roots allow every path. */
export class LocalPaths {
  private roots?: Promise<string[]>;

  constructor(private readonly allowed?: readonly string[]) {}

  get restricted(): boolean {
    return this.allowed !== undefined;
  }

  private async realRoots(): Promise<string[]> {
    this.roots ??= Promise.all((this.allowed ?? []).map((r) => realpath(r).catch(() => r)));
    return this.roots;
  }

  /** The real path of `path`, refused when it lies outside the allowed roots. */
  async check(path: string): Promise<string> {
    let real: string;
    try {
      real = await realpath(path);
    } catch {
      throw new FluxError(`${path} does not exist on the server`);
    }
    if (!this.allowed) return real;
    const roots = await this.realRoots();
    if (!roots.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep))) {
      throw new FluxError(
        `${path} is outside the directories this server may read (--allowed-paths ${this.allowed.join(',')}); nothing was read`,
      );
    }
    return real;
  }
}

async function kustomizationFile(dir: string): Promise<string | undefined> {
  for (const name of KUSTOMIZATION_FILES) {
    const file = join(dir, name);
    const s = await lstat(file).catch(() => undefined);
    if (s && !s.isDirectory()) return file;
  }
  return undefined;
}

function isRemote(ref: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) ||
    /^git@/.test(ref) ||
    /^(github|gitlab|bitbucket)\.(com|org)\//.test(ref) ||
    ref.includes('?ref=')
  );
}

/** Refuses an overlay whose resources, bases or components reach outside the allowed roots or are remote. */
async function checkOverlay(dir: string, paths: LocalPaths, seen = new Set<string>()): Promise<void> {
  if (seen.has(dir)) return;
  seen.add(dir);
  const file = await kustomizationFile(dir);
  if (!file) return;
  const doc = parseAllDocuments(await readFile(file, 'utf8'))[0]?.toJS() as Record<string, unknown> | null;
  for (const key of ['resources', 'bases', 'components']) {
    const refs = doc?.[key];
    if (!Array.isArray(refs)) continue;
    for (const ref of refs) {
      if (typeof ref !== 'string') continue;
      if (isRemote(ref)) {
        throw new FluxError(
          `${file} names the remote ${key.replace(/s$/, '')} ${ref}; this server builds local files only`,
        );
      }
      const target = await paths.check(isAbsolute(ref) ? ref : join(dir, ref));
      if ((await stat(target)).isDirectory()) await checkOverlay(target, paths, seen);
    }
  }
}

function run(binary: KustomizeBinary, dir: string, signal: AbortSignal): Promise<string> {
  const args = binary.name === 'kustomize' ? ['build', dir] : ['kustomize', dir];
  return new Promise((resolve, reject) => {
    execFile(
      binary.path,
      args,
      {
        signal,
        timeout: BUILD_TIMEOUT_MS,
        maxBuffer: MAX_BYTES,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      },
      (err, stdout, stderr) => {
        if (err) {
          const why = stderr.trim() || err.message;
          reject(new FluxError(`${describeBinary(binary)} ${dir} failed: ${why}`));
        } else resolve(stdout);
      },
    );
  });
}

/** The Kubernetes objects of YAML text; a `List` is flattened into its items. */
export function parseObjects(text: string, where: string): KubeObject[] {
  const out: KubeObject[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length > 0)
      throw new FluxError(`${where}: YAML document ${i + 1}: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) return;
    const obj = value as KubeObject;
    if (typeof obj !== 'object' || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      throw new FluxError(
        `${where}: YAML document ${i + 1} is not a Kubernetes object (no apiVersion and kind)`,
      );
    }
    if (obj.kind.endsWith('List') && Array.isArray(obj.items)) out.push(...(obj.items as KubeObject[]));
    else if (!obj.metadata?.name)
      throw new FluxError(`${where}: ${obj.kind} in document ${i + 1} has no metadata.name`);
    else out.push(obj);
  });
  return out;
}

interface Walk {
  files: string[];
  overlays: string[];
}

async function walk(dir: string, paths: LocalPaths, out: Walk, seen: Set<string>): Promise<void> {
  if (seen.has(dir)) return;
  seen.add(dir);
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = await paths.check(join(dir, e.name));
    const s = await stat(full);
    if (s.isDirectory()) {
      if (await kustomizationFile(full)) out.overlays.push(full);
      else await walk(full, paths, out, seen);
    } else if (/\.ya?ml$/.test(e.name)) {
      out.files.push(full);
      if (out.files.length > MAX_FILES) throw new FluxError(`${dir} holds more than ${MAX_FILES} YAML files`);
    }
  }
}

export interface LocalBuild {
  objects: KubeObject[];
  /** `plain YAML`, `kustomize` or `kubectl kustomize`. */
  builder: string;
  files: number;
}

/** Builds the directory: plain YAML read here, kustomize overlays (the root or below) with the binary. */
export async function buildDirectory(
  path: string,
  paths: LocalPaths,
  binary: KustomizeBinary | undefined,
  signal: AbortSignal,
): Promise<LocalBuild> {
  if (!isAbsolute(path)) throw new FluxError(`path must be absolute, not "${path}"`);
  const dir = await paths.check(path);
  if (!(await stat(dir)).isDirectory()) throw new FluxError(`${path} is not a directory`);
  const overlayHelp = (what: string) =>
    `${what} is a kustomize overlay (kustomization.yaml); building it needs a kustomize or kubectl binary on the server's PATH, and there is none`;

  if (await kustomizationFile(dir)) {
    if (!binary) throw new FluxError(overlayHelp(path));
    if (paths.restricted) await checkOverlay(dir, paths);
    const text = await run(binary, dir, signal);
    return {
      objects: parseObjects(text, `${describeBinary(binary)} ${path}`),
      builder: describeBinary(binary),
      files: 0,
    };
  }
  const found: Walk = { files: [], overlays: [] };
  await walk(dir, paths, found, new Set());
  const objects: KubeObject[] = [];
  let bytes = 0;
  for (const file of found.files) {
    const text = await readFile(file, 'utf8');
    bytes += text.length;
    if (bytes > MAX_BYTES)
      throw new FluxError(`${path} holds more than ${MAX_BYTES / 1024 / 1024} MiB of YAML`);
    objects.push(...parseObjects(text, relative(dir, file) || file));
  }
  for (const overlay of found.overlays) {
    if (!binary) throw new FluxError(overlayHelp(overlay));
    if (paths.restricted) await checkOverlay(overlay, paths);
    objects.push(...parseObjects(await run(binary, overlay, signal), overlay));
  }
  return {
    objects,
    builder: found.overlays.length > 0 && binary ? `plain YAML and ${describeBinary(binary)}` : 'plain YAML',
    files: found.files.length,
  };
}

/**
 * Runs `kustomization` (Flux's transforms as kustomize fields) over `objects` with the binary;
 * `components` are absolute directories.
 */
export async function kustomizeObjects(
  objects: KubeObject[],
  kustomization: Record<string, unknown>,
  components: string[],
  binary: KustomizeBinary,
  signal: AbortSignal,
): Promise<KubeObject[]> {
  const dir = await mkdtemp(join(tmpdir(), 'flux-ops-mcp-build-'));
  try {
    await writeFile(join(dir, 'resources.yaml'), objects.map((o) => stringify(o)).join('---\n'));
    await writeFile(
      join(dir, 'kustomization.yaml'),
      stringify({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: ['resources.yaml'],
        ...kustomization,
        ...(components.length > 0 ? { components: components.map((c) => relative(dir, c)) } : {}),
      }),
    );
    return parseObjects(await run(binary, dir, signal), describeBinary(binary));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
