import { describe, expect, it } from 'vitest';
import { errorFromResponse, KubeError } from '../../src/kube/errors.js';
import { DEFAULT_RETRY, isStaleConflict, retryOnConflict } from '../../src/kube/retry.js';

const req = {
  verb: 'patch',
  kind: 'deployments',
  namespace: 'apps',
  name: 'web',
  context: 'prod',
  server: 'https://127.0.0.1:6443',
};
const stale = () =>
  errorFromResponse(
    409,
    {
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    },
    req,
  );
const applyConflict = () =>
  errorFromResponse(
    409,
    {
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas',
    },
    req,
  );

describe('retryOnConflict, as client-go retry.RetryOnConflict with retry.DefaultRetry', () => {
  it('is 5 steps of 10 ms, factor 1, jitter 0.1', () => {
    expect(DEFAULT_RETRY).toEqual({ steps: 5, durationMs: 10, factor: 1, jitter: 0.1 });
  });

  it('tries again after a stale-read conflict, and returns what the attempt that went through returned', async () => {
    const seen: number[] = [];
    const result = await retryOnConflict(async (n) => {
      seen.push(n);
      if (n < 2) throw stale();
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen).toEqual([0, 1, 2]);
  });

  it('gives up after 5 attempts with the last conflict', async () => {
    let attempts = 0;
    const err = await retryOnConflict(async () => {
      attempts += 1;
      throw stale();
    }).catch((e: unknown) => e);
    expect(attempts).toBe(5);
    expect(isStaleConflict(err)).toBe(true);
  });

  it('does not retry a server-side apply field conflict, which says what conflicts', async () => {
    let attempts = 0;
    const err = await retryOnConflict(async () => {
      attempts += 1;
      throw applyConflict();
    }).catch((e: unknown) => e);
    expect(attempts).toBe(1);
    expect((err as Error).message).toContain('Apply failed with 1 conflict: conflict with "kubectl"');
  });

  it('does not retry other errors', async () => {
    let attempts = 0;
    await retryOnConflict(async () => {
      attempts += 1;
      throw new KubeError('Forbidden', 'forbidden', 403);
    }).catch(() => undefined);
    expect(attempts).toBe(1);
  });
});
