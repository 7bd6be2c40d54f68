import { describe, expect, it } from 'vitest';
import {
  debugHelmRelease,
  debugKustomization,
  emergencyRollback,
  plannedMaintenance,
} from '../../src/server/prompts.js';
import { TOOLS } from '../../tools/index.js';

const all = (t: string) => TOOLS.some((x) => x.name === t);
const readOnly = (t: string) => TOOLS.some((x) => x.name === t && !x.writes);
const args = { name: 'podinfo', namespace: 'apps', context: 'prod' };

function toolNamesIn(text: string): string[] {
  return [...new Set(text.match(/\b[a-z]+(?:_[a-z]+){2,}\b/g) ?? [])];
}

describe('prompts', () => {
  it('only name tools the server offers', () => {
    const known = new Set(TOOLS.map((t) => t.name));
    for (const text of [
      debugKustomization(args, all),
      debugHelmRelease(args, all),
      plannedMaintenance({ ...args, kind: 'Kustomization', reason: 'db' }, all),
      emergencyRollback({ ...args, revision: '4' }, all),
    ]) {
      for (const name of toolNamesIn(text)) expect(known.has(name), name).toBe(true);
    }
  });

  it('do not ask for write tools on a read-only server', () => {
    const writes = TOOLS.filter((t) => t.writes).map((t) => t.name);
    for (const text of [
      debugKustomization(args, readOnly),
      debugHelmRelease(args, readOnly),
      plannedMaintenance({ ...args, kind: 'HelmRelease' }, readOnly),
      emergencyRollback(args, readOnly),
    ]) {
      for (const w of writes) expect(text).not.toContain(w);
    }
  });

  it('carry the object, namespace and context into the tool calls they describe', () => {
    const text = plannedMaintenance({ ...args, kind: 'Kustomization', reason: 'db migration INC-4411' }, all);
    expect(text).toContain(
      'suspend_flux_reconciliation (kind "Kustomization", name "podinfo", namespace "apps", reason "db migration INC-4411", context: "prod")',
    );
  });

  it('leave resuming after a rollback to the operator', () => {
    const text = emergencyRollback(args, all);
    expect(text).toContain('When Git holds the fix and I agree');
  });

  it('roll back with the rollback tool, after showing its dry-run plan', () => {
    const text = emergencyRollback({ ...args, revision: '4', reason: 'logins fail' }, all);
    expect(text).toContain('get_helmrelease_history (name "podinfo", namespace "apps", context: "prod")');
    expect(text).toContain(
      'rollback_flux_helmrelease (name "podinfo", namespace "apps", context: "prod", revision: 4, dry_run: true)',
    );
    expect(text).toContain('reason "emergency rollback: logins fail"');
    expect(text).not.toContain('helm rollback <release name>');
  });

  it('fall back to suspending and a helm rollback command when destructive tools are disabled', () => {
    const noDestructive = (t: string) =>
      TOOLS.some((x) => x.name === t && !(x.writes && x.annotations.destructiveHint));
    const text = emergencyRollback(args, noDestructive);
    expect(text).toContain('suspend_flux_reconciliation');
    expect(text).toContain('helm rollback <release name> <revision>');
    expect(text).toContain('`--force-conflicts` when the release');
    expect(text).not.toContain('rollback_flux_helmrelease');
  });
});
