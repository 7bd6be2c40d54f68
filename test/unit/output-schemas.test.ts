// The output schema each tool publishes in tools/list, against the whole zod declaration the server checks
// every result with (src/server/tool-definitions.ts, publishedOutputSchema), in both forms of structured
// content: compact (the default) and full (--structured-content full).
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { enabledTools } from '../../src/server/create.js';
import { compile, outputShape, type StructuredForm } from '../../src/server/tool-definitions.js';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

const tools = enabledTools({ readOnly: false, localFiles: {} });
const validator = new AjvJsonSchemaValidator();

describe.each(['compact', 'full'] as StructuredForm[])(
  'the published %s output schema of every tool',
  (form) => {
    const full = (t: (typeof tools)[number]) =>
      z.toJSONSchema(z.object(outputShape(t, form)), { target: 'draft-7', io: 'output' }) as JsonSchema;
    const published = (t: (typeof tools)[number]) => compile(t, form).definition.outputSchema as JsonSchema;

    it('declares every top-level field of the full declaration, and no other', () => {
      for (const t of tools) {
        expect(Object.keys(published(t).properties ?? {}), t.name).toEqual(
          Object.keys(full(t).properties ?? {}),
        );
      }
    });

    it('gives each top-level field the type and the fixed values of the full declaration', () => {
      for (const t of tools) {
        for (const [name, field] of Object.entries(full(t).properties ?? {})) {
          const p = published(t).properties![name]!;
          expect(p.type, `${t.name}.${name}`).toEqual(field.type);
          expect(p.enum, `${t.name}.${name}`).toEqual(field.enum);
          expect(p.const, `${t.name}.${name}`).toEqual(field.const);
        }
      }
    });

    it('requires exactly the fields the full declaration requires', () => {
      for (const t of tools) expect(published(t).required, t.name).toEqual(full(t).required);
    });

    it('compiles with the validator of the MCP SDK client', () => {
      for (const t of tools) expect(() => validator.getValidator(published(t)), t.name).not.toThrow();
    });
  },
);

describe('the published full output schema of get_flux_status', () => {
  const tool = tools.find((t) => t.name === 'get_flux_status')!;
  const check = validator.getValidator(compile(tool, 'full').definition.outputSchema as JsonSchema);
  const totals = { total: 2, ready: 1, failing: 1, progressing: 0, suspended: 0, stale: 0 };
  const result = {
    context: 'prod',
    totals,
    kinds: [{ kind: 'Kustomization', ...totals }],
    failing: [
      { kind: 'Kustomization', namespace: 'apps', name: 'podinfo', stalled: false, reason: 'BuildFailed' },
    ],
    suspended: [],
    stale: [],
    omitted: { failing: 0, suspended: 0, stale: 0 },
    visibility: { complete: true, unreadableNamespaces: [], unreadableKinds: [] },
  };

  it('accepts a result the server checked against the full declaration', () => {
    expect(compile(tool, 'full').output.safeParse(result).success).toBe(true);
    expect(check(result).valid).toBe(true);
  });

  it('rejects a top-level field of the wrong type', () => {
    expect(check({ ...result, failing: 'none' }).valid).toBe(false);
  });

  it('leaves nested objects open, so a client on an older declaration still accepts a newer answer', () => {
    expect(check({ ...result, totals: { ...totals, newCount: 1 } }).valid).toBe(true);
  });
});

describe('the published compact output schema of get_flux_status', () => {
  const tool = tools.find((t) => t.name === 'get_flux_status')!;
  const check = validator.getValidator(compile(tool).definition.outputSchema as JsonSchema);
  const result = {
    context: 'prod',
    counts: { total: 2, ready: 1, failing: 1 },
    failing: { 'Kustomization apps/podinfo': { reason: 'BuildFailed', for: '5m' } },
  };

  it('accepts a result the server checked against the compact declaration', () => {
    expect(compile(tool).output.safeParse(result).success).toBe(true);
    expect(check(result).valid).toBe(true);
  });

  it('rejects a top-level field of the wrong type', () => {
    expect(check({ ...result, failing: 'none' }).valid).toBe(false);
  });
});
