// One question asked of many clusters: a bounded number of contexts at a time, each with its own deadline,
// and a cluster that does not answer (unreachable, refused, too slow) is an entry of the answer, never the
// failure of the whole call.
import type { KubeAccess } from './access.js';
import type { Cluster } from './cluster.js';
import { withinDeadline } from './deadline.js';
import { KubeError } from './errors.js';
import { mapPool } from './pool.js';

export const CLUSTER_STATES = [
  'ok',
  'unreachable',
  'unauthorized',
  'forbidden',
  'timeout',
  'not-usable',
  'error',
] as const;

export type ClusterState = (typeof CLUSTER_STATES)[number];

export interface FleetEntry<T> {
  context: string;
  state: ClusterState;
  value?: T;
  /** Why the cluster gave no answer, in one line. */
  error?: string;
  durationMs: number;
}

export interface FleetOptions {
  concurrency: number;
  /** Per cluster. */
  timeoutMs: number;
  signal: AbortSignal;
}

/** The contexts a `contexts` parameter names: `all` is every context this server may use. */
export function fleetContexts(access: KubeAccess, contexts: 'all' | readonly string[]): string[] {
  return contexts === 'all' ? access.names() : [...new Set(contexts)];
}

function stateOf(err: unknown): ClusterState {
  if (!(err instanceof KubeError)) return 'error';
  switch (err.code) {
    case 'Unreachable':
    case 'TLS':
      return 'unreachable';
    case 'Unauthorized':
      return 'unauthorized';
    case 'Forbidden':
      return 'forbidden';
    case 'Timeout':
    case 'Cancelled':
      return 'timeout';
    case 'Config':
    case 'OutOfScope':
      return 'not-usable';
    default:
      return 'error';
  }
}

/** Runs `ask` on every context, at most `concurrency` at a time, each bounded by `timeoutMs`. */
export async function askFleet<T>(
  access: KubeAccess,
  contexts: readonly string[],
  ask: (cluster: Cluster, signal: AbortSignal) => Promise<T>,
  options: FleetOptions,
): Promise<FleetEntry<T>[]> {
  return mapPool(contexts, options.concurrency, async (context) => {
    const started = performance.now();
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = AbortSignal.any([options.signal, deadline]);
    try {
      const cluster = access.cluster(context);
      // The deadline also holds for work that does not watch the signal.
      const value = await withinDeadline(
        ask(cluster, signal),
        options.timeoutMs + 100,
        () => new KubeError('Timeout', `no answer within ${options.timeoutMs / 1000}s`),
      );
      return { context, state: 'ok', value, durationMs: Math.round(performance.now() - started) };
    } catch (err) {
      if (options.signal.aborted) throw err;
      const timedOut = deadline.aborted;
      const message = timedOut
        ? `no answer within ${options.timeoutMs / 1000}s`
        : err instanceof Error
          ? err.message
          : String(err);
      return {
        context,
        state: timedOut ? 'timeout' : stateOf(err),
        error: message,
        durationMs: Math.round(performance.now() - started),
      };
    }
  });
}
