// The arguments of a call, checked before the tool runs: nothing a caller sends is dropped without a word.
// An unknown argument (a misspelling such as `dryRun`, or a parameter of another server) is refused with the
// closest parameter and the tool's list: on a write tool, a dropped `dryRun: true` would have made a plan
// into a change. A missing required argument says what it means. Parameter names another server uses for
// the same thing are rewritten by the tool's `normalize` before this check, so they keep working without
// being listed twice.
import type { z } from 'zod';
import type { Tool } from '../../tools/index.js';
import { parseLeniently } from './lenient-arguments.js';
import { compile } from './tool-definitions.js';

export type CheckedArguments =
  { ok: true; args: Record<string, unknown>; notes: string[] } | { ok: false; message: string };

/** Names models and other servers use for our parameters, where no spelling rule finds them. */
const ALIASES: Record<string, string> = {
  ns: 'namespace',
  labelselector: 'selector',
  cluster: 'context',
  kubecontext: 'context',
  kubeconfigcontext: 'context',
  max: 'limit',
  count: 'limit',
  pattern: 'grep',
  filter: 'grep',
};

/** What a required parameter means, for the ones whose schema says nothing. */
const MEANINGS: Record<string, string> = {
  name: "the object's name",
  namespace: "the object's namespace",
  kind: 'the kind, e.g. Kustomization or HelmRelease',
  version: 'the Flux version, e.g. v2.9.0',
  mode: 'enabled, warn or disabled',
};

/** A name reduced to what spelling variants share: `dryRun`, `dry-run` and `DRY_RUN` are `dryrun`. */
const squash = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');

/** Edit distance with transpositions (optimal string alignment), for misspellings. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The parameter `given` most likely stands for, if one is close enough to say so. */
export function closestParameter(given: string, parameters: readonly string[]): string | undefined {
  const g = squash(given);
  const same = parameters.find((p) => squash(p) === g);
  if (same) return same;
  const alias = ALIASES[g];
  if (alias && parameters.includes(alias)) return alias;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const p of parameters) {
    const n = distance(g, squash(p));
    if (n < bestDistance) [best, bestDistance] = [p, n];
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(g.length / 3))) return best;
  // A parameter the given name starts or ends with: `timeout_s`, `withSourceFirst`, `context_name`.
  const within = parameters.filter((p) => squash(p).length >= 4 && g.includes(squash(p)));
  return within.length === 1 ? within[0] : undefined;
}

type JsonSchema = { description?: string; enum?: unknown[]; type?: unknown };

function parameterSchemas(tool: Tool): Record<string, JsonSchema> {
  return (compile(tool).definition.inputSchema.properties ?? {}) as Record<string, JsonSchema>;
}

function requiredParameters(tool: Tool): string[] {
  return compile(tool).definition.inputSchema.required ?? [];
}

/** `kind*, name*, namespace, dry_run (* required)`: the tool's parameters in the order it declares them. */
export function parameterList(tool: Tool): string {
  const required = new Set(requiredParameters(tool));
  const names = Object.keys(tool.input).map((p) => (required.has(p) ? `${p}*` : p));
  if (names.length === 0) return `${tool.name} takes no arguments`;
  return `parameters of ${tool.name}: ${names.join(', ')}${required.size > 0 ? ' (* required)' : ''}`;
}

function meaning(tool: Tool, parameter: string): string {
  const schema = parameterSchemas(tool)[parameter];
  if (schema?.enum) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const described = schema?.description?.replace(/\.$/, '');
  return described ? described[0]!.toLowerCase() + described.slice(1) : (MEANINGS[parameter] ?? parameter);
}

function unknownMessage(tool: Tool, unknown: readonly string[]): string {
  const parameters = Object.keys(tool.input);
  const parts = unknown.map((u) => {
    const closest = closestParameter(u, parameters);
    return `"${u}"${closest ? ` (did you mean "${closest}"?)` : ''}`;
  });
  const what = unknown.length === 1 ? 'unknown argument' : 'unknown arguments';
  return `${what} ${parts.join(', ')}; nothing was done. The ${parameterList(tool)}.`;
}

/** Why the arguments do not fit, one part per problem: a missing one says what it means. */
function issuesMessage(tool: Tool, args: Record<string, unknown>, error: z.ZodError): string {
  const missing = new Set<string>();
  const parts: string[] = [];
  for (const issue of error.issues) {
    const key = issue.path[0];
    if (issue.path.length === 1 && typeof key === 'string' && args[key] === undefined) {
      if (!missing.has(key)) parts.push(`missing argument ${key} (${meaning(tool, key)})`);
      missing.add(key);
    } else {
      parts.push(`${issue.path.length > 0 ? issue.path.join('.') : 'arguments'}: ${issue.message}`);
    }
  }
  const list = missing.size > 0 ? ` The ${parameterList(tool)}.` : '';
  return `Input validation error: Invalid arguments for tool ${tool.name}: ${parts.join('; ')}.${list}`;
}

/**
 * The arguments the tool runs with, or the message that refuses them. `notes` say what the server filled in
 * (the namespace flux-system where the tool defaults to it), to be told in the answer.
 */
export function checkArguments(tool: Tool, raw: Record<string, unknown>): CheckedArguments {
  const args = tool.normalize ? tool.normalize(raw) : { ...raw };
  const parameters = new Set(Object.keys(tool.input));
  const unknown = Object.keys(args).filter((k) => !parameters.has(k));
  if (unknown.length > 0) return { ok: false, message: unknownMessage(tool, unknown) };
  const notes: string[] = [];
  if (
    tool.defaultNamespace &&
    (args.namespace === undefined || args.namespace === null || args.namespace === '')
  ) {
    args.namespace = tool.defaultNamespace;
    notes.push(`namespace ${tool.defaultNamespace}: the call gave none, and it is the flux CLI's default`);
  }
  const parsed = parseLeniently(compile(tool).input, args);
  if (!parsed.success) return { ok: false, message: issuesMessage(tool, args, parsed.error) };
  return { ok: true, args: parsed.data as Record<string, unknown>, notes };
}
