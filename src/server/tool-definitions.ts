// What tools/list says of each tool, and the zod schemas a call is checked with: computed once per tool and
// process, not per session or per call.
import type { Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Tool } from '../../tools/index.js';

interface Compiled {
  definition: McpTool;
  input: z.ZodObject;
  output: z.ZodObject;
}

const compiled = new WeakMap<Tool, Compiled>();

/**
 * JSON Schema draft-07, as the SDK's own registration produces it, without the `$schema` key: draft-07 is
 * what clients assume, and the key would be repeated in every schema of every tool in the model's context.
 */
function jsonSchema(schema: z.ZodObject, io: 'input' | 'output'): McpTool['inputSchema'] {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io });
  return rest as McpTool['inputSchema'];
}

type JsonSchema = Record<string, unknown>;

/**
 * An output schema without its descriptions: they document the code, while clients only check results
 * against the schema, and the list is sent to every client of every session. Only the `description`
 * keyword goes, never a property that happens to be called description.
 */
export function withoutDescriptions(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description') continue;
    if ((key === 'properties' || key === '$defs') && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, isObject(v) ? withoutDescriptions(v) : v]),
      );
    } else if (Array.isArray(value)) {
      out[key] = value.map((v: unknown) => (isObject(v) ? withoutDescriptions(v) : v));
    } else {
      out[key] = isObject(value) ? withoutDescriptions(value) : value;
    }
  }
  return out;
}

function isObject(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The tool's hints, leaving out those the MCP specification calls meaningless for a read-only tool
 * (destructiveHint, idempotentHint).
 */
function annotationsOf(tool: Tool): McpTool['annotations'] {
  const { readOnlyHint, destructiveHint, idempotentHint, openWorldHint } = tool.annotations;
  return readOnlyHint
    ? { title: tool.title, readOnlyHint, openWorldHint }
    : { title: tool.title, readOnlyHint, destructiveHint, idempotentHint, openWorldHint };
}

export function compile(tool: Tool): Compiled {
  let c = compiled.get(tool);
  if (!c) {
    const input = z.object(tool.input);
    const output = z.object(tool.output);
    c = {
      input,
      output,
      // The title goes in the annotations only: clients show annotations.title when there is no top-level
      // title (MCP Tool schema), and every byte of the list is in the model's context in every turn.
      definition: {
        name: tool.name,
        description: tool.description,
        inputSchema: jsonSchema(input, 'input'),
        outputSchema: withoutDescriptions(jsonSchema(output, 'output')) as McpTool['outputSchema'],
        annotations: annotationsOf(tool),
      },
    };
    compiled.set(tool, c);
  }
  return c;
}

/** Why the arguments do not fit the input schema, one `path: message` per problem. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'arguments'}: ${i.message}`)
    .join('; ');
}
