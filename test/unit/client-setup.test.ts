// The one-line client set-ups of the README all start the same npm package the same way.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string };
const START = { command: 'npx', args: ['-y', pkg.name] };
const section = readme.slice(readme.indexOf('## Connect a client'), readme.indexOf('## Quick start'));

/** Every inline JSON object of the section that names a command. */
function jsonForms(): unknown[] {
  return [...section.matchAll(/`([^`]*"command"[^`]*)`/g)].map((m) => {
    const span = m[1]!.replace(/\s+/g, ' ');
    return JSON.parse(span.slice(span.indexOf('{'), span.lastIndexOf('}') + 1));
  });
}

describe('client set-up in the README', () => {
  it('adds the npm package to Claude Code and Codex with npx', () => {
    expect(section).toContain(`\`claude mcp add flux-ops -- npx -y ${pkg.name}\``);
    expect(section).toContain(`\`codex mcp add flux-ops -- npx -y ${pkg.name}\``);
  });

  it('has JSON forms (Claude Desktop, Cursor, VS Code, code --add-mcp) that all start it with npx', () => {
    const forms = jsonForms();
    expect(forms.length).toBeGreaterThanOrEqual(4);
    for (const form of forms) {
      const f = form as Record<string, Record<string, Record<string, unknown>>>;
      const server =
        f.mcpServers?.['flux-ops'] ?? f.servers?.['flux-ops'] ?? (form as Record<string, unknown>);
      expect(server).toMatchObject(START);
    }
  });

  it('has a VS Code install link whose config starts it with npx', () => {
    const link = /\((https:\/\/insiders\.vscode\.dev\/redirect\/mcp\/install\?[^)]+)\)/.exec(section)?.[1];
    const url = new URL(link!);
    expect(url.searchParams.get('name')).toBe('flux-ops');
    expect(JSON.parse(url.searchParams.get('config')!)).toEqual(START);
  });

  it('has a Cursor install link whose base64 config starts it with npx', () => {
    const link = /\((https:\/\/cursor\.com\/en\/install-mcp\?[^)]+)\)/.exec(section)?.[1];
    const url = new URL(link!);
    expect(url.searchParams.get('name')).toBe('flux-ops');
    expect(JSON.parse(Buffer.from(url.searchParams.get('config')!, 'base64').toString('utf8'))).toEqual(
      START,
    );
  });

  it('points HTTP clients at /mcp with a bearer token', () => {
    expect(section).toMatch(
      /"type": "http", "url": "https:\/\/[^"]+\/mcp", "headers": \{ "Authorization": "Bearer <token>" \}/,
    );
  });
});
