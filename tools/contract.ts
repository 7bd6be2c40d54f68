// The tool contract: what every tool declares, and what it gets to do its work. One table of these
// (tools/index.ts) drives registration, read-only mode, the server instructions and the README table.
import type { z, ZodRawShape } from 'zod';
import type { Logger } from 'pino';
import type { Cluster } from '../src/kube/cluster.js';
import type { KubeAccess } from '../src/kube/access.js';

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** Per MCP session: the context chosen with set_kubeconfig_context, if any. */
export interface SessionState {
  context?: string;
  /** Stateless HTTP: nothing outlives the request, so there is no session default to change. */
  stateless?: boolean;
}

export interface ToolContext {
  /** The cluster of `context`, or of the session's context, or the server's default. */
  cluster(context?: string): Promise<Cluster>;
  kube(): Promise<KubeAccess>;
  session: SessionState;
  signal: AbortSignal;
  /** Sends an MCP progress notification when the client asked for progress; otherwise does nothing. */
  progress(message: string): Promise<void>;
  /** The authenticated caller (HTTP transport), if any. */
  identity?: string;
  /** Directories tools may read on the server's disk (--allowed-paths); every path when undefined. */
  allowedPaths?: readonly string[];
  /** Under --impersonate: the user and groups every Kubernetes request of this call acts as. */
  actingAs?: { user: string; groups: readonly string[] };
  /** How long a write waits for the controller when the call gives no timeout (--wait-timeout). */
  waitTimeoutMs: number;
  /** The client can ask the person (it declared MCP elicitation, form mode). */
  canAsk: boolean;
  /**
   * Asks the person to confirm a destructive change, `plan` being one paragraph of what it changes where
   * (MCP elicitation). `unsupported` when the client cannot ask (it did not declare elicitation).
   */
  confirm(plan: string): Promise<Confirmation>;
  /** --confirm-destructive: `always` refuses a destructive change no one confirmed (see tools/confirm.ts). */
  confirmDestructive: 'ask' | 'always';
  log: Logger;
}

export type Confirmation = 'accept' | 'decline' | 'cancel' | 'unsupported';

export interface ToolResult<S, C = Record<string, unknown>> {
  text: string;
  /** The full machine form: structuredContent under --structured-content full. */
  structured: S;
  /**
   * What a model reads by default as structuredContent: the text's facts, compact (docs/structured-content.md).
   * A tool that declares `compact` returns it.
   */
  compact?: C;
  /** The operation ran but did not succeed (a failed or timed-out reconcile): shown to the model as an error. */
  isError?: boolean;
  /**
   * What a write did, for the audit record: `ready`, `dry-run`, `partial: 2 suspended, 1 forbidden`.
   * Without it the record says `ok`, or `error` for an error result.
   */
  outcome?: string;
}

type Infer<S extends ZodRawShape> = z.infer<z.ZodObject<S>>;

export interface ToolDeclaration<I extends ZodRawShape, O extends ZodRawShape, C extends ZodRawShape> {
  name: string;
  title: string;
  /** One paragraph a model can act on: what it does, when to use it, what it returns. */
  description: string;
  input: I;
  /** The full machine form's declaration (--structured-content full). */
  output: O;
  /**
   * The declaration of what clients get as structuredContent by default: the same facts as the text within
   * 1.25x its bytes, by the rules of docs/structured-content.md (named as the text names objects, no nulls,
   * defaults or echo of the input, the glossary's short names, the same cut as the text, `more` and `next`).
   * Without it, the full form is sent. A tool adds a fixture to test/support/answers.ts, which
   * test/unit/structured-budget.test.ts holds to the rules.
   */
  compact?: C;
  annotations: ToolAnnotations;
  /** Changes cluster state; not registered in read-only mode. */
  writes: boolean;
  /** Reads the server's disk: registered over stdio, and over HTTP only with --allowed-paths. */
  localFiles?: boolean;
  /**
   * The namespace of the Flux object a call acts on when it gives none: the server fills it in and the
   * answer says so (the flux CLI's default, flux-system).
   */
  defaultNamespace?: string;
  /**
   * Rewrites the arguments before they are checked: parameter names another server uses for the same
   * thing keep working without being listed twice in the tool's schema.
   */
  normalize?: (args: Record<string, unknown>) => Record<string, unknown>;
  handler(args: Infer<I>, ctx: ToolContext): Promise<ToolResult<Infer<O>, Infer<C>>>;
}

/** A declared tool with its types erased, as the table holds it. */
export interface Tool {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly input: ZodRawShape;
  readonly output: ZodRawShape;
  readonly compact?: ZodRawShape;
  readonly annotations: ToolAnnotations;
  readonly writes: boolean;
  readonly localFiles?: boolean;
  readonly defaultNamespace?: string;
  readonly normalize?: (args: Record<string, unknown>) => Record<string, unknown>;
  run(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult<Record<string, unknown>>>;
}

export function defineTool<
  I extends ZodRawShape,
  O extends ZodRawShape,
  C extends ZodRawShape = Record<never, never>,
>(decl: ToolDeclaration<I, O, C>): Tool {
  const { handler, ...rest } = decl;
  return {
    ...rest,
    // The server has checked `args` against `input` before the call (src/server/create.ts).
    run: (args, ctx) => handler(args as Infer<I>, ctx) as Promise<ToolResult<Record<string, unknown>>>,
  };
}

export const READ_ONLY: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

/** An error whose message is meant for the caller as it is. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}
