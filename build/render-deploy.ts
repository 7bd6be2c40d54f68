// deploy/ for `kubectl apply -k` is the Helm chart (charts/flux-ops-mcp) rendered with its default values, so
// the manifests have one source: `npm run deploy:render` writes them, and test/integration/helm-chart.test.ts
// fails when they differ from the chart. Helm's own labels (chart, managed-by) are left out: kubectl, not
// Helm, manages these objects. deploy/namespace.yaml, kustomization.yaml, the opt-in grants of deploy/optional
// (but impersonation.yaml) and deploy/examples are written by hand.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(import.meta.dirname, '..');
export const CHART = join(ROOT, 'charts/flux-ops-mcp');
const RELEASE = 'flux-ops-mcp';
const NAMESPACE = 'flux-ops-mcp';
const HELM_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by'];

const FILE_OF_KIND: Record<string, string> = {
  ServiceAccount: 'serviceaccount.yaml',
  ClusterRole: 'clusterrole.yaml',
  ClusterRoleBinding: 'clusterrolebinding.yaml',
  Deployment: 'deployment.yaml',
  Service: 'service.yaml',
  NetworkPolicy: 'networkpolicy.yaml',
};

function header(what: string): string {
  return `# ${what} rendered from charts/flux-ops-mcp by \`npm run deploy:render\`: change the chart, not this file.\n`;
}

function template(helm: string, args: string[]): string {
  return execFileSync(helm, ['template', RELEASE, CHART, '--namespace', NAMESPACE, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  });
}

/**
 * The documents of `helm template` output, without Helm's labels and its `# Source:` comments. Text is
 * edited, not parsed and written again, so the manifests read as the chart writes them (and `0400` stays
 * the octal file mode YAML 1.1 makes of it).
 */
function documents(rendered: string): { kind: string; text: string }[] {
  const helmLabel = new RegExp(`^\\s+(${HELM_LABELS.join('|').replace(/\./g, '\\.')}): .*\n`, 'gm');
  return rendered
    .split(/^---\n/m)
    .map((text) =>
      text
        .replace(/^# Source: .*\n/gm, '')
        .replace(helmLabel, '')
        .trimEnd(),
    )
    .filter((text) => text !== '')
    .map((text) => {
      const kind = /^kind: (\w+)$/m.exec(text)?.[1];
      if (!kind) throw new Error(`a rendered document has no kind:\n${text}`);
      // The documents must still parse, and as one object each.
      if (parseAllDocuments(text).length !== 1) throw new Error(`cannot read the rendered ${kind}`);
      return { kind, text: `${text}\n` };
    });
}

/** deploy/'s rendered files (paths relative to deploy/) and their contents. */
export function renderDeploy(helm: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const doc of documents(template(helm, []))) {
    const file = FILE_OF_KIND[doc.kind];
    if (!file) throw new Error(`the chart's defaults render a ${doc.kind}, which deploy/ has no file for`);
    if (files.has(file)) throw new Error(`the chart's defaults render two objects for deploy/${file}`);
    files.set(file, `${header(`The ${doc.kind}`)}${doc.text}`);
  }
  const impersonation = documents(
    template(helm, ['--set', 'impersonate.enabled=true', '--show-only', 'templates/impersonation.yaml']),
  );
  files.set(
    'optional/impersonation.yaml',
    `${header('Opt-in, for --impersonate (values impersonate.enabled),')}${impersonation.map((d) => d.text).join('---\n')}`,
  );
  return files;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { helmClis } = await import('../test/support/helm-cli.js');
  for (const [file, text] of renderDeploy(helmClis().helm4)) writeFileSync(join(ROOT, 'deploy', file), text);
}
