// Retrying a write that lost an optimistic-concurrency race, as client-go's retry.RetryOnConflict does with
// retry.DefaultRetry (k8s.io/client-go/util/retry/util.go): up to 5 attempts, 10 ms apart plus up to 10 %
// jitter (factor 1, no growth); each attempt reads the object again and recomputes the change. Only a 409
// of a stale resourceVersion is retried: a server-side apply field conflict is also a 409, and retrying it
// would only repeat it.
import { APPLY_CONFLICT, isKubeError } from './errors.js';

export interface Backoff {
  steps: number;
  durationMs: number;
  factor: number;
  jitter: number;
}

/** client-go's retry.DefaultRetry. */
export const DEFAULT_RETRY: Readonly<Backoff> = { steps: 5, durationMs: 10, factor: 1, jitter: 0.1 };

/** A 409 because the object changed since it was read (not a server-side apply field conflict). */
export function isStaleConflict(err: unknown): boolean {
  return isKubeError(err, 'Conflict') && !(err as Error).message.includes(APPLY_CONFLICT);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` (given its number, from 0) until it succeeds, fails otherwise than with a stale conflict,
 * or `backoff.steps` attempts have conflicted; then the last conflict is thrown. `onConflict` hears each
 * conflict that is retried.
 */
export async function retryOnConflict<T>(
  attempt: (n: number) => Promise<T>,
  options: { backoff?: Backoff; signal?: AbortSignal; onConflict?: (n: number, err: unknown) => void } = {},
): Promise<T> {
  const backoff = options.backoff ?? DEFAULT_RETRY;
  let duration = backoff.durationMs;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!isStaleConflict(err) || n + 1 >= backoff.steps) throw err;
      options.onConflict?.(n, err);
    }
    await sleep(duration + Math.random() * backoff.jitter * duration, options.signal);
    duration *= backoff.factor;
  }
}
