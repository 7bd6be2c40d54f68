// Tool arguments as clients that stringify values send them: read as meant where the schema refused them for
// their type, and never accepted where the schema still refuses them.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseLeniently } from '../../src/server/lenient-arguments.js';

const schema = z.object({
  name: z.string().regex(/^[a-z0-9-]+$/),
  namespace: z.string().optional(),
  limit: z.number().int().min(1).max(100).optional(),
  wait: z.boolean().optional(),
  output: z.enum(['yaml', 'json']).optional(),
  contexts: z.union([z.array(z.string()), z.literal('all')]).optional(),
  ignore: z
    .array(z.object({ paths: z.array(z.string()), target: z.object({ kind: z.string() }).optional() }))
    .optional(),
});

function parse(args: Record<string, unknown>) {
  return parseLeniently(schema, args);
}

describe('arguments a client sent as strings', () => {
  it('reads a number sent as a string as the number', () => {
    expect(parse({ name: 'apps', limit: '20' }).data).toEqual({ name: 'apps', limit: 20 });
  });

  it('reads true and false sent as strings as booleans', () => {
    expect(parse({ name: 'apps', wait: 'false' }).data).toEqual({ name: 'apps', wait: false });
    expect(parse({ name: 'apps', wait: 'true' }).data).toEqual({ name: 'apps', wait: true });
  });

  it('reads a list sent as JSON text as the list, for a parameter that is a list or a word', () => {
    expect(parse({ name: 'apps', contexts: '["prod", "staging"]' }).data).toEqual({
      name: 'apps',
      contexts: ['prod', 'staging'],
    });
  });

  it('reads a list of objects sent as JSON text, and numbers inside it sent as strings', () => {
    const ignore = [{ paths: ['/spec/replicas'], target: { kind: 'Deployment' } }];
    expect(parse({ name: 'apps', ignore: JSON.stringify(ignore) }).data).toEqual({ name: 'apps', ignore });
  });

  it('leaves out a parameter sent as null', () => {
    expect(parse({ name: 'apps', namespace: null, limit: null }).data).toEqual({ name: 'apps' });
  });

  it('reads an option written in another case as the option', () => {
    expect(parse({ name: 'apps', output: 'YAML', contexts: 'All' }).data).toEqual({
      name: 'apps',
      output: 'yaml',
      contexts: 'all',
    });
  });

  it('leaves arguments that fit the schema exactly as they are', () => {
    expect(parse({ name: 'apps', contexts: 'all', limit: 5 }).data).toEqual({
      name: 'apps',
      contexts: 'all',
      limit: 5,
    });
  });
});

describe('arguments the schema still refuses', () => {
  it('refuses a string that is not a number where a number is asked for', () => {
    const r = parse({ name: 'apps', limit: 'ten' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['limit'], expected: 'number' });
  });

  it('refuses a number read from a string that breaks the bounds, naming the bound', () => {
    const r = parse({ name: 'apps', limit: '500' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['limit'], code: 'too_big' });
  });

  it('does not turn a string that breaks a string rule into another type', () => {
    const r = parse({ name: 'Not A Name', wait: 'yes' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path[0])).toEqual(['name', 'wait']);
  });

  it('refuses a required parameter sent as null', () => {
    const r = parse({ name: null });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['name']);
  });

  it('refuses a word that is no option in any case', () => {
    expect(parse({ name: 'apps', output: 'xml' }).error?.issues[0]).toMatchObject({ path: ['output'] });
  });

  it('refuses JSON text of an object where a list is asked for', () => {
    expect(parse({ name: 'apps', contexts: '{"a": 1}' }).success).toBe(false);
  });
});
