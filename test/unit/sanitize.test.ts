import { describe, expect, it } from 'vitest';
import { MASK, sanitize } from '../../src/format/sanitize.js';

describe('sanitize', () => {
  it('masks every value of a Secret, in data and stringData, and keeps the keys', () => {
    const out = sanitize({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { a: 'c2VjcmV0', b: 'eA==' },
      stringData: { c: 'plain' },
    });
    expect(out.data).toEqual({ a: MASK, b: MASK });
    expect(out.stringData).toEqual({ c: MASK });
  });

  it('masks Secrets inside a List', () => {
    const out = sanitize({
      apiVersion: 'v1',
      kind: 'List',
      items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'c2VjcmV0' } }],
    });
    expect(JSON.stringify(out)).not.toContain('c2VjcmV0');
  });

  it('removes managedFields and the last-applied annotation but keeps other annotations', () => {
    const out = sanitize({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'c',
        managedFields: [{ manager: 'kubectl' }],
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' },
      },
      data: { visible: 'yes' },
    });
    expect(out.metadata).toEqual({ name: 'c', annotations: { keep: 'me' } });
    expect(out.data).toEqual({ visible: 'yes' });
  });

  it('does not change the object it was given', () => {
    const input = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', managedFields: [] },
      data: { a: 'x' },
    };
    sanitize(input);
    expect(input.data.a).toBe('x');
    expect(input.metadata.managedFields).toEqual([]);
  });
});
