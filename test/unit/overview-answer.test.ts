// get_flux_status's answer is cut by size, not by count: every problem is listed while the text stays
// within about 3 KB, messages shortened first.
import { describe, expect, it } from 'vitest';
import type { FluxOverview } from '../../src/flux/overview.js';
import { TEXT_BUDGET } from '../../src/format/budget.js';
import { renderOverview } from '../../src/format/overview.js';

const NOW = Date.parse('2026-11-26T10:00:00Z');

function overview(failing: number, suspended: number, message = 'health check failed'): FluxOverview {
  const ns = 'apps';
  return {
    context: 'prod',
    totals: { total: 100, ready: 100 - failing - suspended, failing, progressing: 0, suspended, stale: 0 },
    kinds: [],
    failing: Array.from({ length: failing }, (_, i) => ({
      kind: 'Kustomization',
      namespace: ns,
      name: `app-${i}`,
      stalled: false,
      reason: 'HealthCheckFailed',
      message,
      since: '2026-11-26T09:00:00Z',
    })),
    suspended: Array.from({ length: suspended }, (_, i) => ({
      kind: 'HelmRelease',
      namespace: ns,
      name: `paused-${i}`,
      by: 'jane',
      reason: 'maintenance',
    })),
    stale: [],
    notServed: [],
    visibility: { complete: true, unreadableNamespaces: [], unreadableKinds: [] },
  };
}

describe('get_flux_status answer without a limit', () => {
  it('lists all of 11 failing objects, where a count of 10 used to hide one', () => {
    const { text, structured } = renderOverview(overview(11, 0), undefined, NOW);
    for (let i = 0; i < 11; i++) expect(text).toContain(`Kustomization apps/app-${i} `);
    expect(text).not.toContain('more failing');
    expect(structured.failing).toHaveLength(11);
    expect(structured.omitted.failing).toBe(0);
  });

  it('keeps the messages whole when everything fits', () => {
    const { text } = renderOverview(overview(3, 0, 'x'.repeat(150)), undefined, NOW);
    expect(text).toContain('x'.repeat(150));
  });

  it('shortens the messages before it leaves out any object', () => {
    const { text, structured } = renderOverview(overview(20, 0, 'y'.repeat(190)), undefined, NOW);
    expect(structured.omitted.failing).toBe(0);
    expect(text).not.toContain('y'.repeat(100));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(TEXT_BUDGET);
  });

  it('past the budget, counts the objects it leaves out and says how to get them', () => {
    const { text, structured } = renderOverview(overview(200, 3), undefined, NOW);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(TEXT_BUDGET);
    const shown = structured.failing.length;
    expect(shown).toBeGreaterThan(10);
    expect(structured.omitted.failing).toBe(200 - shown);
    expect(text).toContain(`${200 - shown} more failing: narrow with namespace or kind, or pass limit`);
    expect(text).toContain('3 more suspended');
    expect(structured.omitted.suspended).toBe(3);
  });

  it('lists suspended objects after the failing ones when both fit', () => {
    const { text } = renderOverview(overview(2, 3), undefined, NOW);
    expect(text.indexOf('Suspended:')).toBeGreaterThan(text.indexOf('Failing (newest first):'));
    expect(text).toContain('HelmRelease apps/paused-2  by jane: "maintenance"');
  });
});

describe('get_flux_status answer with a limit', () => {
  it('lists that many of each section, with messages as they are, and says to raise the limit', () => {
    const message = `helm upgrade failed: ${'z'.repeat(2000)} (end)`;
    const { text, structured } = renderOverview(overview(5, 0, message), 2, NOW);
    expect(structured.failing).toHaveLength(2);
    expect(text).toContain(message);
    expect(text).not.toContain('more characters');
    expect((structured.failing as { message?: string }[])[0]!.message).toBe(message);
    expect(text).toContain('3 more failing: narrow with namespace or kind, or raise limit');
  });
});

describe('get_flux_status of an object both failing and suspended', () => {
  it('counts it in both and says so, and marks its failing line suspended', () => {
    const base = overview(1, 1);
    const both = {
      ...base,
      totals: { ...base.totals, ready: 98, suspendedFailing: 1 },
      failing: [{ ...base.failing[0]!, suspended: true as const }],
    };
    const { text } = renderOverview(both, undefined, NOW);
    expect(text).toContain('100 objects: 98 ready, 1 failing (1 of them suspended), 1 suspended.');
    expect(text).toMatch(/Kustomization apps\/app-0 {2}HealthCheckFailed for 60m {2}\(suspended\)/);
  });
});

describe('get_flux_status failing lines name revisions', () => {
  const base = overview(1, 0);
  const failing = base.failing[0]!;

  it('name the commit a Kustomization failed on, and the one still applied', () => {
    const { text } = renderOverview(
      {
        ...base,
        failing: [
          {
            ...failing,
            reason: 'BuildFailed',
            revision: 'main@sha1:3b0accb86d51cbf1d8a8f0f7b4cbd0a6a1a1a1a1',
            attemptedRevision: 'main@sha1:efe24cdf3c2e4f5a6b7c8d9e0f1a2b3c4d5e6f70',
          },
        ],
      },
      undefined,
      NOW,
    );
    expect(text).toContain(
      'Kustomization apps/app-0  BuildFailed for 60m  attempted rev main@sha1:efe24cdf (applied main@sha1:3b0accb8)',
    );
  });

  it('name the applied revision alone when it is the one the controller tried', () => {
    const { text } = renderOverview(
      { ...base, failing: [{ ...failing, revision: 'main@sha1:3b0accb86d51cbf1d8a8f0f7b4cbd0a6a1a1a1a1' }] },
      undefined,
      NOW,
    );
    expect(text).toContain('HealthCheckFailed for 60m  rev main@sha1:3b0accb8');
    expect(text).not.toContain('attempted');
  });

  it('name a HelmRelease chart version as a chart', () => {
    const { text } = renderOverview(
      { ...base, failing: [{ ...failing, kind: 'HelmRelease', revision: '1.1.0' }] },
      undefined,
      NOW,
    );
    expect(text).toContain('HelmRelease apps/app-0  HealthCheckFailed for 60m  chart 1.1.0');
  });
});

describe('get_flux_status failing lines name what a failed wait waited for', () => {
  it('say which object is not ready and why its Pods are not, under the message', () => {
    const base = overview(
      1,
      0,
      "health check failed after 30s: timeout waiting for: [Deployment/apps/web status: 'InProgress']",
    );
    const notReady =
      'Deployment apps/web (ready 0/1; pods: 1 of 1 not ready (ImagePullBackOff); web-6d4f: container web ImagePullBackOff: Back-off pulling image "ghcr.io/example/web:2.0.0")';
    const { text, structured } = renderOverview(
      { ...base, failing: [{ ...base.failing[0]!, notReady }] },
      undefined,
      NOW,
    );
    expect(text).toContain(
      `\n    not ready: Deployment apps/web (ready 0/1; pods: 1 of 1 not ready (ImagePullBackOff)`,
    );
    expect(structured.failing[0]!.notReady).toBe(notReady);
  });
});
