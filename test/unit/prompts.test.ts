import { describe, expect, it } from 'vitest';
import {
  debugHelmRelease,
  debugKustomization,
  emergencyRollback,
  incidentTimeline,
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
      incidentTimeline({ namespace: 'apps', since: '2h' }, all),
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
      incidentTimeline({ namespace: 'apps' }, readOnly),
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

  it('start debugging with what changed on the path of the failing object', () => {
    for (const [kind, text] of [
      ['Kustomization', debugKustomization(args, all)],
      ['HelmRelease', debugHelmRelease(args, all)],
    ] as const) {
      expect(text).toContain(
        `1. Call get_flux_changes (kind "${kind}", name "podinfo", namespace "apps", since "1h", context: "prod")`,
      );
    }
  });

  it('build the incident timeline from get_flux_changes, and offer a revert, a Helm rollback or a suspension', () => {
    const text = incidentTimeline({ namespace: 'apps', since: '2h', context: 'prod' }, all);
    expect(text).toContain('1. Call get_flux_changes (since "2h", namespace "apps", context: "prod")');
    expect(text).toContain('"preceded by", never "caused by"');
    expect(text).toContain('git revert <commit>');
    expect(text).toContain('rollback_flux_helmrelease, dry_run: true first');
    expect(text).toContain('suspend_flux_reconciliation with the incident as reason');
  });

  it('focus the incident timeline on one object when it names one', () => {
    const text = incidentTimeline({ kind: 'HelmRelease', name: 'web', namespace: 'apps' }, all);
    expect(text).toContain('get_flux_changes (since "1h", namespace "apps", kind "HelmRelease", name "web")');
  });
});
