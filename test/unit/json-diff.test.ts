import { describe, expect, it } from 'vitest';
import { diffObjects } from '../../src/kube/json-diff.js';

describe('diffObjects', () => {
  it('names list elements by their name when both versions hold the same element', () => {
    const pod = (image: string) => ({ spec: { containers: [{ name: 'web', image }] } });
    expect(diffObjects(pod('nginx:1.25'), pod('nginx:1.27'))).toEqual([
      {
        path: 'spec.containers[name=web].image',
        op: 'replace',
        before: 'nginx:1.25',
        after: 'nginx:1.27',
      },
    ]);
  });

  it('reports an element added to a named list as added, not the whole list as replaced', () => {
    const before = { env: [{ name: 'A', value: '1' }] };
    const after = {
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
    };
    expect(diffObjects(before, after)).toEqual([
      { path: 'env[name=B]', op: 'add', after: { name: 'B', value: '2' } },
    ]);
  });

  it('replaces a list whose elements have no identifying field', () => {
    expect(diffObjects({ args: ['a'] }, { args: ['b'] })).toEqual([
      { path: 'args', op: 'replace', before: ['a'], after: ['b'] },
    ]);
  });
});
