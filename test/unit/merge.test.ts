// The three-way strategic merge, checked against results of k8s.io/apimachinery's
// CreateThreeWayMergePatch applied with StrategicMergePatch (the expected values below were produced by them).
import { describe, expect, it } from 'vitest';
import {
  applyMergePatch,
  createMergePatch,
  NO_SCHEMA,
  threeWayMerge,
  type JsonObject,
  type PatchSchema,
} from '../../src/kube/merge.js';

/** A schema from a table of `path -> strategy[:mergeKey]`, paths dot-separated (list elements share their list's path). */
function schemaOf(table: Record<string, string>, prefix = ''): PatchSchema {
  return {
    field(key) {
      const path = prefix ? `${prefix}.${key}` : key;
      const [strategy, mergeKey] = (table[path] ?? '').split(':');
      return {
        strategies: strategy ? strategy.split(',') : [],
        ...(mergeKey ? { mergeKey } : {}),
        schema: schemaOf(table, path),
      };
    },
  };
}

const POD = schemaOf({
  containers: 'merge:name',
  'containers.env': 'merge:name',
  volumes: 'merge,retainKeys:name',
  finalizers: 'merge',
  strategy: 'retainKeys',
});

const env = (...names: string[]) => names.map((name) => ({ name, value: name.toLowerCase() }));

describe('three-way strategic merge', () => {
  it('sets what the new manifest sets, removes what only the old one had, keeps what others added', () => {
    const original = { data: { a: '1', b: '2' } };
    const modified = { data: { a: '9', c: '3' } };
    const current = { data: { a: '1', b: '2', manual: 'x' } };
    expect(threeWayMerge(original, modified, current, NO_SCHEMA)).toEqual({
      data: { a: '9', c: '3', manual: 'x' },
    });
  });

  it('replaces lists without a merge strategy whole', () => {
    expect(threeWayMerge({ args: ['a'] }, { args: ['b', 'c'] }, { args: ['a', 'z'] }, NO_SCHEMA)).toEqual({
      args: ['b', 'c'],
    });
  });

  it('merges keyed lists element by element and keeps elements only the server has', () => {
    const original = { containers: [{ name: 'app', env: env('B') }] };
    const modified = { containers: [{ name: 'app', env: env('A') }] };
    const current = { containers: [{ name: 'app', env: env('C', 'B') }] };
    // Go result: the added element takes the deleted one's place in the live list: C, A.
    expect(threeWayMerge(original, modified, current, POD)).toEqual({
      containers: [{ name: 'app', env: env('C', 'A') }],
    });
  });

  it('orders merged elements as the modified list orders them, server-only ones where they were', () => {
    const original = { containers: [{ name: 'app', env: env('A', 'B') }] };
    const modified = { containers: [{ name: 'app', env: env('B', 'A', 'D') }] };
    const current = { containers: [{ name: 'app', env: env('X', 'A', 'B') }] };
    expect(threeWayMerge(original, modified, current, POD)).toEqual({
      containers: [{ name: 'app', env: env('X', 'B', 'A', 'D') }],
    });
  });

  it('keeps only the keys the modified map sets in a retainKeys field', () => {
    const original = { strategy: { type: 'RollingUpdate' } };
    const modified = { strategy: { type: 'Recreate' } };
    const current = { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } };
    expect(threeWayMerge(original, modified, current, POD)).toEqual({ strategy: { type: 'Recreate' } });
  });

  it('replaces a volume source within a keyed element (merge,retainKeys)', () => {
    const original = { volumes: [{ name: 'v', configMap: { name: 'x' } }] };
    const modified = { volumes: [{ name: 'v', secret: { secretName: 'y' } }] };
    const current = { volumes: [{ name: 'v', configMap: { name: 'x' } }] };
    expect(threeWayMerge(original, modified, current, POD)).toEqual({
      volumes: [{ name: 'v', secret: { secretName: 'y' } }],
    });
  });

  it('merges primitive merge lists and leaves a live list that is only out of order alone', () => {
    expect(
      threeWayMerge({ finalizers: ['f1'] }, { finalizers: ['f1', 'f2'] }, { finalizers: ['f2', 'f1'] }, POD),
    ).toEqual({ finalizers: ['f2', 'f1'] });
    expect(
      threeWayMerge({ finalizers: ['f1', 'f3'] }, { finalizers: ['f2'] }, { finalizers: ['x', 'f1'] }, POD),
    ).toEqual({ finalizers: ['f2', 'x'] });
  });

  it('does not change the objects it is given', () => {
    const current: JsonObject = { data: { a: '1' } };
    threeWayMerge({ data: { a: '1' } }, { data: { a: '2' } }, current, NO_SCHEMA);
    expect(current).toEqual({ data: { a: '1' } });
  });
});

describe('JSON merge patches (RFC 7386)', () => {
  it('creates the patch that turns one object into another', () => {
    const from = { a: 1, b: { c: 2, d: 3 }, e: [1, 2] };
    const to = { a: 1, b: { c: 5 }, e: [1], f: 'new' };
    const patch = createMergePatch(from, to);
    expect(patch).toEqual({ b: { c: 5, d: null }, e: [1], f: 'new' });
    expect(applyMergePatch(from, patch)).toEqual(to);
  });

  it('is empty between equal objects', () => {
    expect(createMergePatch({ a: { b: [1] } }, { a: { b: [1] } })).toEqual({});
  });
});
