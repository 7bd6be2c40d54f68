import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
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
    const ro = enabledTools({ readOnly: true, localFiles: {} });
    expect(ro.every((t) => !t.writes)).toBe(true);
    expect(ro.length).toBe(TOOLS.filter((t) => !t.writes).length);
  });

  it('names every enabled tool in the instructions', () => {
    const text = instructions(TOOLS, false, 50_000);
    for (const t of TOOLS) expect(text).toContain(t.name);
  });

  it('states the default timeout of waits the server runs with', () => {
    expect(instructions(TOOLS, false, 300_000)).toContain('(default 300s, at most 30m)');
  });

  it('gives every tool a description of at least one full sentence', () => {
    for (const t of TOOLS) expect(t.description.length).toBeGreaterThan(60);
  });
});

describe('kind parameters of tools that act on some Flux kinds', () => {
  const description = (tool: string) =>
    (TOOLS.find((t) => t.name === tool)!.input.kind as z.ZodType).description!;

  it('says reconcile_flux_resource takes every Flux kind but those without a reconcile request', () => {
    expect(description('reconcile_flux_resource')).toBe(
      'Any Flux kind but ExternalArtifact, Alert, Provider.',
    );
  });

  it('says suspend and resume take every Flux kind but ExternalArtifact, which has no suspend switch', () => {
    for (const tool of ['suspend_flux_reconciliation', 'resume_flux_reconciliation'])
      expect(description(tool)).toBe('Any Flux kind but ExternalArtifact.');
  });
});

describe('tool filters', () => {
  const destructive = { ...TOOLS.find((t) => t.writes)!, name: 'delete_everything' };
  destructive.annotations = { ...destructive.annotations, destructiveHint: true };
  const table = [...TOOLS, destructive];

  it('leaves out destructive tools with disableDestructive, and only those', () => {
    const names = enabledTools({
      readOnly: false,
      disableDestructive: true,
      tools: table,
      localFiles: {},
    }).map((t) => t.name);
    expect(names).not.toContain('delete_everything');
    expect(names).not.toContain('migrate_flux_storage');
    expect(names).not.toContain('rollback_flux_helmrelease');
    expect(names).toEqual(
      TOOLS.filter((t) => !(t.writes && t.annotations.destructiveHint)).map((t) => t.name),
    );
  });

  it('offers only the tools named in the allow-list', () => {
    const names = enabledTools({
      readOnly: false,
      toolNames: ['get_kubernetes_resources', 'suspend_flux_reconciliation'],
    }).map((t) => t.name);
    expect(names).toEqual(['get_kubernetes_resources', 'suspend_flux_reconciliation']);
  });

  it('leaves out the tools that read local files unless local files are allowed', () => {
    const without = enabledTools({ readOnly: false }).map((t) => t.name);
    const withFiles = enabledTools({ readOnly: false, localFiles: { allowed: ['/srv/git'] } }).map(
      (t) => t.name,
    );
    expect(without).not.toContain('diff_flux_kustomization');
    expect(withFiles).toContain('diff_flux_kustomization');
    expect(withFiles.length - without.length).toBe(TOOLS.filter((t) => t.localFiles).length);
  });

  it('lets read-only win over the allow-list', () => {
    const names = enabledTools({ readOnly: true, toolNames: ['suspend_flux_reconciliation'] });
    expect(names).toEqual([]);
  });
});
