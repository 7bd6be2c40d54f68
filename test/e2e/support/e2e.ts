// What the end-to-end tests share: the sources of the run and the Flux objects of test/cluster/real-flux.ts.
// The tests drive the built server with test/support/env.ts startServer, whose client lists the tools first
// (so the SDK validates every structuredContent against its output schema).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { stringify } from 'yaml';
import { Sources } from '../../cluster/sources-server.js';
import type { TestApi, TestObject } from '../../support/api.js';

export {
  configMapYaml,
  gitRepository,
  hasCondition,
  helmRelease,
  helmRepository,
  kustomization,
  kustomizationYaml,
  waitForObject,
} from '../../cluster/real-flux.js';

/** Chart templates: a ConfigMap of the release's greeting value, and one more, named after the release. */
export const SETTINGS_TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  greeting: {{ .Values.greeting | quote }}
`;
export const EXTRA_TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-extra
data:
  chart: {{ .Chart.Version | quote }}
`;

export function sources(): Sources {
  return new Sources(inject('sources'));
}

/**
 * Keeps a copy of a live object as the real controllers left it, when FLUX_OPS_MCP_CAPTURE_DIR is set: the
 * statuses the fake controller of the integration tests (test/support/controller.ts) is checked against.
 */
export async function capture(
  api: TestApi,
  label: string,
  ref: Pick<TestObject, 'apiVersion' | 'kind' | 'metadata'>,
): Promise<void> {
  const dir = process.env.FLUX_OPS_MCP_CAPTURE_DIR;
  if (!dir) return;
  const live = await api.get(ref.apiVersion, ref.kind, ref.metadata.namespace, ref.metadata.name);
  delete (live.metadata as Record<string, unknown>).managedFields;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${label}.yaml`), `# captured ${new Date().toISOString()}\n${stringify(live)}`);
}
