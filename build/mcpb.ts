// Builds flux-ops-mcp-<version>.mcpb, the bundle Claude Desktop installs in one click (`npm run bundle`):
// the files of the npm package (what `npm pack` puts in the tarball, so both hold the same bundle) and a
// manifest.json that lists the tools and prompts the server offers and asks the user for the kubeconfig file,
// the context, read-only and the allowed namespaces.
//
// Hosts substitute ${user_config.<key>} in the manifest's args and env; an optional key the user leaves unset
// and that has no default stays as the literal text. So every setting goes to an environment variable that
// the CLI reads (src/options.ts), with a default the CLI takes as "not set" ("" or false), and the args hold
// no ${user_config...} at all.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ZodType } from 'zod';
import { registerPrompts } from '../src/server/prompts.js';
import { TOOLS, type Tool } from '../tools/index.js';

const ROOT = resolve(import.meta.dirname, '..');

export interface PackageJson {
  name: string;
  version: string;
  description: string;
  license: string;
  author: string;
  homepage?: string;
  keywords?: string[];
  repository: { url: string };
  engines: { node: string };
}

export interface ManifestPrompt {
  name: string;
  description?: string;
  arguments?: string[];
  text: string;
}

/** The manifest's user_config keys, and the environment variable of the CLI each one sets. */
export const SETTINGS = {
  kubeconfig: 'KUBECONFIG',
  context: 'FLUX_OPS_MCP_CONTEXT',
  read_only: 'FLUX_OPS_MCP_READ_ONLY',
  allowed_namespaces: 'FLUX_OPS_MCP_ALLOWED_NAMESPACES',
} as const;

function firstSentence(text: string): string {
  const end = text.search(/\.\s/);
  return end < 0 ? text : text.slice(0, end + 1);
}

/**
 * The prompts as the server registers them (src/server/prompts.ts), each with its text rendered for
 * `${arguments.<name>}` placeholders, the form bundle manifests use.
 */
export function bundlePrompts(tools: readonly Tool[]): ManifestPrompt[] {
  const prompts: ManifestPrompt[] = [];
  const recorder = {
    registerPrompt(
      name: string,
      config: { description?: string; argsSchema: Record<string, unknown> },
      render: (args: Record<string, string>) => { messages: { content: { text: string } }[] },
    ) {
      const args = Object.keys(config.argsSchema);
      // Optional arguments are left out of the text, as the server leaves them out when a client omits them.
      const required = Object.entries(config.argsSchema).filter(
        ([, s]) => !(s as ZodType).safeParse(undefined).success,
      );
      const placeholders = Object.fromEntries(required.map(([a]) => [a, `\${arguments.${a}}`]));
      const text = render(placeholders)
        .messages.map((m) => m.content.text)
        .join('\n\n');
      prompts.push({
        name,
        ...(config.description ? { description: config.description } : {}),
        arguments: args,
        text,
      });
    },
  };
  registerPrompts(recorder as unknown as McpServer, tools);
  return prompts;
}

export function bundleManifest(pkg: PackageJson, tools: readonly Tool[]): Record<string, unknown> {
  const repository = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
  return {
    manifest_version: '0.3',
    name: pkg.name,
    display_name: 'Flux CD operations',
    version: pkg.version,
    description: pkg.description,
    long_description:
      'Lets the assistant see what is failing in Flux and why (status, events, controller logs, inventories, ' +
      'Helm history, drift), and reconcile, suspend and resume Flux objects, on every cluster of your kubeconfig. ' +
      'Turn on read-only to offer only the tools that read.',
    author: { name: pkg.author },
    repository: { type: 'git', url: repository },
    homepage: pkg.homepage ?? repository,
    license: pkg.license,
    keywords: pkg.keywords ?? [],
    server: {
      type: 'node',
      entry_point: 'dist/cli.js',
      mcp_config: {
        command: 'node',
        args: ['${__dirname}/dist/cli.js', '--log-level', 'warn'],
        env: Object.fromEntries(
          Object.entries(SETTINGS).map(([key, env]) => [env, `\${user_config.${key}}`]),
        ),
      },
    },
    tools: tools.map((t) => ({ name: t.name, description: firstSentence(t.description) })),
    prompts: bundlePrompts(tools),
    compatibility: {
      platforms: ['darwin', 'win32', 'linux'],
      runtimes: { node: pkg.engines.node },
    },
    user_config: {
      kubeconfig: {
        type: 'file',
        title: 'Kubeconfig file',
        description:
          'The kubeconfig whose clusters the assistant may use. Empty: KUBECONFIG, then ~/.kube/config. ' +
          'Credential plugins (aws, gke-gcloud-auth-plugin, kubelogin) must be found on the PATH Claude Desktop has.',
        required: false,
        default: '',
      },
      context: {
        type: 'string',
        title: 'Context',
        description: "Context used when a request names none. Empty: the kubeconfig's current context.",
        required: false,
        default: '',
      },
      read_only: {
        type: 'boolean',
        title: 'Read-only',
        description: 'Offer only the tools that read: nothing can reconcile, suspend, resume or roll back.',
        required: false,
        default: false,
      },
      allowed_namespaces: {
        type: 'string',
        title: 'Allowed namespaces',
        description: 'Namespaces that may be read or changed, comma-separated. Empty: all.',
        required: false,
        default: '',
      },
    },
  };
}

/** Packs the bundle into `outDir`; returns its path. The npm package's files come from `npm pack` of dist/. */
export async function buildBundle(outDir: string): Promise<string> {
  const { packExtension } = await import('@anthropic-ai/mcpb');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
  const work = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-mcpb-'));
  try {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }),
    ) as { filename: string }[];
    execFileSync('tar', ['-xzf', join(work, packed[0]!.filename), '-C', work]);
    const stage = join(work, 'package');
    writeFileSync(join(stage, 'manifest.json'), `${JSON.stringify(bundleManifest(pkg, TOOLS), null, 2)}\n`);
    const output = join(resolve(outDir), `${pkg.name}-${pkg.version}.mcpb`);
    if (!(await packExtension({ extensionPath: stage, outputPath: output, silent: true })))
      throw new Error('mcpb pack refused the bundle (run npx mcpb validate on its manifest.json)');
    return output;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: ROOT } } });
  console.log(await buildBundle(values.out));
}
