import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { conform } from '../../src/server/conform.js';

const schema = z.object({
  context: z.string(),
  steps: z.array(z.object({ name: z.string(), revision: z.string().optional() })),
  patch: z.record(z.string(), z.unknown()).optional(),
});

describe('conform', () => {
  it('returns a result that matches the schema unchanged, with nothing undeclared', () => {
    const value = {
      context: 'prod',
      steps: [{ name: 'a', revision: 'main@sha1:1' }],
      patch: { x: { y: 1 } },
    };
    expect(conform(schema, value)).toEqual({ value, undeclared: [] });
  });

  it('removes undeclared fields at any depth and names each by its path', () => {
    const checked = conform(schema, {
      context: 'prod',
      extra: true,
      steps: [{ name: 'a' }, { name: 'b', withSource: true }],
    });
    expect(checked.undeclared).toEqual(['extra', 'steps/1/withSource']);
    expect(checked.value).toEqual({ context: 'prod', steps: [{ name: 'a' }, { name: 'b' }] });
  });

  it('does not count a field that is present but undefined, which JSON leaves out anyway', () => {
    expect(conform(schema, { context: 'prod', steps: [], other: undefined }).undeclared).toEqual([]);
  });

  it('keeps every key of a declared record', () => {
    const checked = conform(schema, { context: 'c', steps: [], patch: { metadata: { annotations: {} } } });
    expect(checked.undeclared).toEqual([]);
  });

  it('says where a result that cannot be repaired goes wrong', () => {
    const checked = conform(schema, { context: 'prod', steps: [{ revision: 'x' }] });
    expect(checked.value).toBeUndefined();
    expect(checked.error).toMatch(/^steps\/0\/name: /);
  });
});
