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

export function compile(tool: Tool): Compiled {
  let c = compiled.get(tool);
  if (!c) {
    const input = z.object(tool.input);
    const output = z.object(tool.output);
    c = {
      input,
      output,
      definition: {
        name: tool.name,
        title: tool.title,
        description: tool.description,
        inputSchema: jsonSchema(input, 'input'),
        outputSchema: jsonSchema(output, 'output'),
        annotations: { title: tool.title, ...tool.annotations },
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
