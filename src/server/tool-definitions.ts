// What tools/list says of each tool, and the zod schemas a call is checked with: computed once per tool and
// process, not per session or per call.
import type { Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Tool } from '../../tools/index.js';

interface Compiled {
  readonly definition: McpTool;
  input: z.ZodObject;
  output: z.ZodObject;
}

/**
 * Which structuredContent clients get: `compact` (the default), what a model reads (docs/structured-content.md);
 * `full`, the machine form for programs (--structured-content full).
 */
export type StructuredForm = 'compact' | 'full';

const compiled = { compact: new WeakMap<Tool, Compiled>(), full: new WeakMap<Tool, Compiled>() };

/** The fields the server adds to a tool's answer: what it filled in for the call (arguments.ts). */
const SERVER_FIELDS = { note: z.string().optional() };

/**
 * JSON Schema draft-07, as the SDK's own registration produces it, without the `$schema` key: draft-07 is
 * what clients assume, and the key would be repeated in every schema of every tool in the model's context.
 */
function jsonSchema(schema: z.ZodObject, io: 'input' | 'output'): McpTool['inputSchema'] {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io });
  return rest as McpTool['inputSchema'];
}

type JsonSchema = Record<string, unknown>;

function isObject(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A field as the published output schema declares it: its type, and its values when they are a fixed set. */
function outline(field: JsonSchema): JsonSchema {
  if (Array.isArray(field.anyOf)) return { anyOf: field.anyOf.filter(isObject).map(outline) };
  const out: JsonSchema = {};
  if (field.type !== undefined) out.type = field.type;
  if (field.enum !== undefined) out.enum = field.enum;
  if ('const' in field) out.const = field.const;
  const items = field.items;
  if (isObject(items) && items.type !== undefined && items.type !== 'object') out.items = outline(items);
  return out;
}

/**
 * The output schema clients get: every top-level field of the result with its type (and its values, when
 * they are a fixed set), and which fields are always there; nested objects are declared as objects. The
 * whole tool list is sent to every client in every session, and issue 13 holds it to 24 KB for all tools,
 * which the full declarations (38 KB) do not fit in. The server checks every result against the full
 * declaration before it answers (conform.ts), and docs/results.md shows it, generated from the same zod.
 */
export function publishedOutputSchema(full: JsonSchema): JsonSchema {
  const properties = isObject(full.properties) ? full.properties : {};
  return {
    type: 'object',
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, field]) => [name, isObject(field) ? outline(field) : {}]),
    ),
    ...(Array.isArray(full.required) && full.required.length > 0 ? { required: full.required } : {}),
  };
}

/**
 * The input schema clients get: a namespace the server fills in when a call gives none (the tool's
 * defaultNamespace, src/server/arguments.ts) is not required of them.
 */
function publishedInputSchema(tool: Tool, schema: McpTool['inputSchema']): McpTool['inputSchema'] {
  if (!tool.defaultNamespace || !schema.required?.includes('namespace')) return schema;
  const required = schema.required.filter((r) => r !== 'namespace');
  const { required: _, ...rest } = schema;
  return required.length > 0 ? { ...rest, required } : rest;
}

/** The hints' values when a tool does not state them (MCP specification, ToolAnnotations). */
const HINT_DEFAULTS = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
} as const;

/**
 * The tool's title and the hints that differ from the specification's defaults, leaving out those it calls
 * meaningless for a read-only tool (destructiveHint, idempotentHint). A tool that writes states
 * readOnlyHint and destructiveHint whatever their values: some clients do not apply the defaults (OpenAI's
 * was seen to treat a tool without destructiveHint as harmless), and a directory of connectors requires both.
 */
function annotationsOf(tool: Tool): McpTool['annotations'] {
  const out: NonNullable<McpTool['annotations']> = { title: tool.title };
  for (const hint of Object.keys(HINT_DEFAULTS) as (keyof typeof HINT_DEFAULTS)[]) {
    const meaningless =
      tool.annotations.readOnlyHint && (hint === 'destructiveHint' || hint === 'idempotentHint');
    const stated = !tool.annotations.readOnlyHint && (hint === 'readOnlyHint' || hint === 'destructiveHint');
    if (stated || (!meaningless && tool.annotations[hint] !== HINT_DEFAULTS[hint]))
      out[hint] = tool.annotations[hint];
  }
  return out;
}

/** The output declaration a tool's answers have in `form`. */
export function outputShape(tool: Tool, form: StructuredForm): z.ZodRawShape {
  const shape = form === 'compact' && tool.compact ? tool.compact : tool.output;
  return tool.defaultNamespace ? { ...shape, ...SERVER_FIELDS } : shape;
}

export function compile(tool: Tool, form: StructuredForm = 'compact'): Compiled {
  let c = compiled[form].get(tool);
  if (!c) {
    const input = z.object(tool.input);
    const output = z.object(outputShape(tool, form));
    let definition: McpTool | undefined;
    c = {
      input,
      output,
      // Made on the first tools/list, not for a call: converting the schemas to JSON Schema takes a few
      // milliseconds that a session's first call would otherwise wait for.
      get definition(): McpTool {
        // The title goes in the annotations only: clients show annotations.title when there is no top-level
        // title (MCP Tool schema), and every byte of the list is in the model's context in every turn.
        definition ??= {
          name: tool.name,
          description: tool.description,
          inputSchema: publishedInputSchema(tool, jsonSchema(input, 'input')),
          outputSchema: publishedOutputSchema(jsonSchema(output, 'output')) as McpTool['outputSchema'],
          annotations: annotationsOf(tool),
        };
        return definition;
      },
    };
    compiled[form].set(tool, c);
  }
  return c;
}
