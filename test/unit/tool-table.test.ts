import { describe, expect, it } from 'vitest';
import { TOOLS } from '../../tools/index.js';
import { enabledTools, instructions } from '../../src/server/create.js';

describe('the tool table', () => {
  it('has unique snake_case names', () => {
    const names = TOOLS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z][a-z_]+$/);
  });

  it('marks every tool that does not write as read-only and idempotent', () => {
    for (const t of TOOLS.filter((t) => !t.writes)) {
      expect(t.annotations).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
      });
    }
  });

  it('marks every tool that writes as not read-only', () => {
    for (const t of TOOLS.filter((t) => t.writes)) expect(t.annotations.readOnlyHint).toBe(false);
  });

  it('leaves out every writing tool in read-only mode', () => {
    const ro = enabledTools({ readOnly: true });
    expect(ro.every((t) => !t.writes)).toBe(true);
    expect(ro.length).toBe(TOOLS.filter((t) => !t.writes).length);
  });

  it('names every enabled tool in the instructions', () => {
    const text = instructions(TOOLS, false);
    for (const t of TOOLS) expect(text).toContain(t.name);
  });

  it('gives every tool a description of at least one full sentence', () => {
    for (const t of TOOLS) expect(t.description.length).toBeGreaterThan(60);
  });
});
