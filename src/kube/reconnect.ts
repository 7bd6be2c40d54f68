// When a watch ends before its caller is done (API server restarted, connection reset, a load balancer's
// idle timeout, 410 Gone), what to do next: which errors are worth another try, how long to wait first
// (exponential backoff with jitter, reset once the API server answers again), and whether the object must
// be read again before watching. Pure: the watch loop in cluster.ts acts on these decisions.
import { isKubeError, type KubeError } from './errors.js';

export interface BackoffPolicy {
  /** Delay before the first retry. */
  initialMs: number;
  /** No delay grows beyond this. */
  maxMs: number;
  factor: number;
  /** Fraction of the delay taken off at random, so many clients do not retry in step. */
  jitter: number;
}

/** Short enough that a wait notices a restarted API server within seconds, long enough not to hammer it. */
export const WATCH_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 5_000, factor: 2, jitter: 0.2 };

/** The delay before retry number `attempt` (1 for the first): exponential, capped, with jitter. */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - policy.jitter * random()));
}

/**
 * Errors a later attempt may not meet: no connection, no answer in time, or a server-side failure
 * (5xx, 429). Refusals (forbidden, unauthorized, not found, invalid) and TLS errors will not change by
 * waiting, so they end the watch.
 */
export function isTransient(err: unknown): err is KubeError {
  if (isKubeError(err, 'Unreachable') || isKubeError(err, 'Timeout')) return true;
  if (isKubeError(err, 'ServerError'))
    return err.httpStatus === undefined || err.httpStatus === 429 || err.httpStatus >= 500;
  return false;
}

/** How one watch attempt ended, when it did not end the caller's wait. */
export type WatchEnd =
  /** The server closed the stream (its timeout, or a proxy's); `progressed` when events came first. */
  | { type: 'closed'; progressed: boolean }
  /** 410 Gone: the version watched from is older than the server keeps. */
  | { type: 'expired' }
  /** No stream, or it broke: a transport error or an error answer. */
  | { type: 'failed'; error: unknown };

export interface NextAttempt {
  /** Wait this long before the next attempt. */
  delayMs: number;
  /** Read the object again first: its version is too old to watch from. */
  reread: boolean;
}

/**
 * Decides each retry of one watch. `answered()` says the API server answered (a stream opened, a read);
 * `delivered()` says an event came through, which is progress.
 */
export class Reconnect {
  private failures = 0;
  /** 410s since the last delivered event: a server that keeps answering 410 is not asked in a tight loop. */
  private expirations = 0;
  private lostError?: KubeError;

  constructor(
    private readonly policy: BackoffPolicy = WATCH_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /** The error that cut the connection, while it is not back. */
  get lost(): KubeError | undefined {
    return this.lostError;
  }

  /** The API server answered: the next failure starts the backoff afresh. */
  answered(): void {
    this.failures = 0;
    this.lostError = undefined;
  }

  /** An event came through. */
  delivered(): void {
    this.answered();
    this.expirations = 0;
  }

  /** What to do after an attempt ended; throws the error when another attempt would not help. */
  next(end: WatchEnd): NextAttempt {
    switch (end.type) {
      case 'closed':
        // A stream that ends after delivering events is normal (server timeout): reconnect at once. One
        // that ends with nothing delivered counts as a failure, so a proxy that closes every stream at
        // once is not hammered.
        if (end.progressed) return { delayMs: 0, reread: false };
        return { delayMs: this.fail(), reread: false };
      case 'expired':
        this.expirations++;
        return {
          delayMs: this.expirations === 1 ? 0 : backoffDelay(this.expirations - 1, this.policy, this.random),
          reread: true,
        };
      case 'failed':
        if (!isTransient(end.error)) throw end.error;
        this.lostError = end.error;
        return { delayMs: this.fail(), reread: false };
    }
  }

  private fail(): number {
    this.failures++;
    return backoffDelay(this.failures, this.policy, this.random);
  }
}
