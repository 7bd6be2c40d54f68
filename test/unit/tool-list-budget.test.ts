// What a client puts into the model's context for this server, in every turn: the tool list. Budgets from
// issue 13; the Flux Operator MCP server's list was about 10.3 KB of names, descriptions and input schemas
// for 18 tools.
import { describe, expect, it } from 'vitest';
import { enabledTools } from '../../src/server/create.js';
import { compile } from '../../src/server/tool-definitions.js';

const KB = 1024;
// The default set over stdio, which includes the tools that read local files.
const tools = enabledTools({ readOnly: false, localFiles: {} }).map((t) => compile(t).definition);
const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

describe('the tool list of the default tool set', () => {
  // Issue 13 set 12 KB when there were 15 tools; it held for 24, because what the parameters shared by the
  // tools mean is said once, in the server instructions. get_flux_changes (issue 25) added 0.5 KB.
  it('keeps names, titles, descriptions and input schemas within 13 KB', () => {
    // The title is sent as annotations.title (clients show it where there is no top-level title).
    const contextCost = size(
      tools.map(({ name, annotations, description, inputSchema }) => ({
        name,
        title: annotations?.title,
        description,
        inputSchema,
      })),
    );
    expect(contextCost).toBeLessThanOrEqual(13 * KB);
  });

  // The whole answer also carries the output schemas. Clients check results against them but rarely put
  // them into the model's context; they declare each result's top-level fields, and docs/results.md has
  // the whole shapes.
  // 24 KB for 24 tools; get_flux_changes (issue 25) added 1.1 KB.
  it('keeps the whole tools/list answer, output schemas included, within 25 KB', () => {
    expect(size({ tools })).toBeLessThanOrEqual(25 * KB);
  });

  it('still says in every description what the tool does, in at least one sentence', () => {
    for (const t of tools) expect(t.description!.length, t.name).toBeGreaterThan(80);
  });
});
