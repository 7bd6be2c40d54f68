// get_kubeconfig_contexts as text and compact structured content: a line per context, the current one marked,
// and who the caller's Kubernetes requests act as under --impersonate.
import { z } from 'zod';
import { plural } from './text.js';

export interface ContextLine {
  name: string;
  cluster: string;
  server?: string;
  namespace?: string;
  current: boolean;
}

export interface ActingAs {
  user: string;
  groups: string[];
  source: 'api-server' | 'impersonation';
}

/** get_kubeconfig_contexts' compact structured content (docs/structured-content.md). */
export const compactContextsShape = {
  count: z.number(),
  current: z.string(),
  /** Each context: its cluster (and server), and its namespace when it sets one. */
  contexts: z.record(z.string(), z.string()),
  /** Under --impersonate: who this caller's Kubernetes requests act as, and how that is known. */
  actingAs: z.string().optional(),
};

export type CompactContexts = z.infer<z.ZodObject<typeof compactContextsShape>>;

const where = (c: ContextLine) =>
  `cluster ${c.cluster}${c.server ? ` (${c.server})` : ''}${c.namespace ? `  namespace ${c.namespace}` : ''}`;

function actingAsPhrase(a: ActingAs, current: string): string {
  const groups = a.groups.length > 0 ? ` (groups ${a.groups.join(', ')})` : '';
  return a.source === 'api-server'
    ? `user ${a.user}${groups}, as context ${current} reports it; its RBAC rights for that user apply`
    : `user ${a.user}${groups} by impersonation; context ${current} could not be asked to confirm it`;
}

export function contextsAnswer(
  contexts: ContextLine[],
  current: string,
  actingAs?: ActingAs,
): { text: string; compact: CompactContexts } {
  const lines = contexts.map((c) => `${c.current ? '*' : ' '} ${c.name}  ${where(c)}`);
  const note = actingAs ? `\nYour Kubernetes requests act as ${actingAsPhrase(actingAs, current)}.` : '';
  return {
    text: `${plural(contexts.length, 'kubeconfig context')}, current: ${current}\n${lines.join('\n')}${note}`,
    compact: {
      count: contexts.length,
      current,
      contexts: Object.fromEntries(contexts.map((c) => [c.name, where(c)])),
      ...(actingAs ? { actingAs: actingAsPhrase(actingAs, current) } : {}),
    },
  };
}
