import { describe, expect, it } from 'vitest';
import { laterToken, RequestOrder } from '../../src/flux/request-order.js';

const ours = '2026-01-10T12:00:00.000000100Z';

describe('which handled request answers ours', () => {
  it('our own token', () => {
    expect(new RequestOrder(ours).coverage(ours)).toBe('own');
  });

  it('a token the annotation took after ours covers ours (that reconcile started after our request)', () => {
    const order = new RequestOrder(ours, 'before');
    order.observe('someone-else');
    expect(order.coverage('someone-else')).toBe('later');
  });

  it('the token before ours does not, even when it reads as a later time', () => {
    const order = new RequestOrder(ours, '2026-01-10T12:00:05Z');
    expect(order.coverage('2026-01-10T12:00:05Z')).toBeUndefined();
  });

  it('nothing handled yet answers nothing', () => {
    expect(new RequestOrder(ours).coverage(undefined)).toBeUndefined();
  });

  it('a token never seen covers ours only when it is a later time (flux CLI tokens carry a zone offset)', () => {
    const order = new RequestOrder(ours);
    expect(order.coverage('2026-01-10T13:00:01.5+01:00')).toBe('later');
    expect(order.coverage('2026-01-10T12:59:59.9+01:00')).toBeUndefined();
    expect(order.coverage('not-a-time')).toBeUndefined();
  });

  it('after a new request of ours, our first token and what came before are earlier', () => {
    const order = new RequestOrder(ours);
    order.observe('other');
    order.renew('2026-01-10T12:00:09.000000100Z');
    expect(order.coverage(ours)).toBeUndefined();
    expect(order.coverage('other')).toBeUndefined();
    expect(order.coverage('2026-01-10T12:00:09.000000100Z')).toBe('own');
  });
});

describe('laterToken', () => {
  it('compares the digits below the millisecond', () => {
    expect(laterToken('2026-01-10T12:00:00.000000101Z', ours)).toBe(true);
    expect(laterToken('2026-01-10T12:00:00.000000099Z', ours)).toBe(false);
  });
});
