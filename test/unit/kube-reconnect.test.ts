import { describe, expect, it } from 'vitest';
import { KubeError } from '../../src/kube/errors.js';
import { backoffDelay, isTransient, Reconnect, type BackoffPolicy } from '../../src/kube/reconnect.js';

const policy: BackoffPolicy = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 };
const noJitter = () => 0;
const refused = new KubeError('Unreachable', 'cluster unreachable: connect ECONNREFUSED');

describe('backoffDelay', () => {
  it('doubles from the initial delay with each attempt', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, noJitter))).toEqual([100, 200, 400, 800]);
  });

  it('never grows beyond the maximum', () => {
    expect(backoffDelay(5, policy, noJitter)).toBe(1_000);
    expect(backoffDelay(50, policy, noJitter)).toBe(1_000);
  });

  it('takes at most the jitter fraction off', () => {
    expect(backoffDelay(1, policy, () => 0.999)).toBe(50);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(300);
  });
});

describe('isTransient', () => {
  it('retries when the API server cannot be reached or does not answer in time', () => {
    expect(isTransient(refused)).toBe(true);
    expect(isTransient(new KubeError('Timeout', 'cluster timed out'))).toBe(true);
  });

  it('retries server-side failures and throttling', () => {
    expect(isTransient(new KubeError('ServerError', 'unavailable', 503))).toBe(true);
    expect(isTransient(new KubeError('ServerError', 'internal', 500))).toBe(true);
    expect(isTransient(new KubeError('ServerError', 'throttled', 429))).toBe(true);
  });

  it('does not retry refusals that waiting will not change', () => {
    for (const code of ['Forbidden', 'Unauthorized', 'NotFound', 'Invalid', 'TLS', 'Cancelled'] as const)
      expect(isTransient(new KubeError(code, code))).toBe(false);
    expect(isTransient(new KubeError('ServerError', 'method not allowed', 405))).toBe(false);
  });

  it('does not retry errors that are not from the API', () => {
    expect(isTransient(new Error('boom'))).toBe(false);
  });
});

describe('Reconnect', () => {
  it('backs off more with each failed attempt in a row', () => {
    const r = new Reconnect(policy, noJitter);
    const delays = [1, 2, 3].map(() => r.next({ type: 'failed', error: refused }).delayMs);
    expect(delays).toEqual([100, 200, 400]);
  });

  it('starts the backoff afresh once the API server answers again', () => {
    const r = new Reconnect(policy, noJitter);
    r.next({ type: 'failed', error: refused });
    r.next({ type: 'failed', error: refused });
    r.answered();
    expect(r.next({ type: 'failed', error: refused }).delayMs).toBe(100);
  });

  it('remembers the error while the connection is lost and forgets it once the server answers', () => {
    const r = new Reconnect(policy, noJitter);
    r.next({ type: 'failed', error: refused });
    expect(r.lost).toBe(refused);
    r.answered();
    expect(r.lost).toBeUndefined();
  });

  it('resumes from the same version after a failure', () => {
    const r = new Reconnect(policy, noJitter);
    expect(r.next({ type: 'failed', error: refused }).reread).toBe(false);
  });

  it('throws an error that another attempt would not change', () => {
    const r = new Reconnect(policy, noJitter);
    const forbidden = new KubeError('Forbidden', 'forbidden: user jane cannot watch');
    expect(() => r.next({ type: 'failed', error: forbidden })).toThrow(forbidden);
  });

  it('watches again at once when a stream that delivered events was closed by the server', () => {
    const r = new Reconnect(policy, noJitter);
    expect(r.next({ type: 'closed', progressed: true })).toEqual({ delayMs: 0, reread: false });
  });

  it('backs off when streams close before delivering anything', () => {
    const r = new Reconnect(policy, noJitter);
    const delays = [1, 2].map(() => r.next({ type: 'closed', progressed: false }).delayMs);
    expect(delays).toEqual([100, 200]);
  });

  it('reads the object again at once on the first 410 Gone', () => {
    const r = new Reconnect(policy, noJitter);
    expect(r.next({ type: 'expired' })).toEqual({ delayMs: 0, reread: true });
  });

  it('backs off when 410 Gone repeats without an event in between, even though the server answers', () => {
    const r = new Reconnect(policy, noJitter);
    r.next({ type: 'expired' });
    r.answered();
    expect(r.next({ type: 'expired' })).toEqual({ delayMs: 100, reread: true });
    r.delivered();
    expect(r.next({ type: 'expired' })).toEqual({ delayMs: 0, reread: true });
  });
});
