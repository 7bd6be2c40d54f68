// get_kubernetes_resources pages cut by size, not by count: of a page read from the API server, the objects
// that fit in about 3 KB of text, messages shortened first; the rest come on the next page.
import { describe, expect, it } from 'vitest';
import { TEXT_BUDGET } from '../../src/format/budget.js';
import { fitListing, renderListing, type ListingPage, type ObjectSummary } from '../../src/format/objects.js';

const NOW = Date.parse('2026-11-26T10:00:00Z');
const HEADER = 'N Kustomizations (kustomize.toolkit.fluxcd.io/v1) in namespace apps, context prod';

function page(n: number, message?: string, more?: Partial<ListingPage>): ListingPage {
  const items: ObjectSummary[] = Array.from({ length: n }, (_, i) => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    namespace: 'apps',
    name: `app-${i}`,
    state: message ? 'Failing' : 'Ready',
    ...(message ? { reason: 'BuildFailed', message } : {}),
  }));
  return { items, ...more };
}

const fit = (p: ListingPage, opts: { limit?: number; minimum?: number } = {}) =>
  fitListing(p, HEADER, { minimum: 1, ...opts, now: NOW });

describe('a page of objects without a limit', () => {
  it('shows the whole page when it fits', () => {
    expect(fit(page(30))).toEqual({ shown: [30], messageMax: 160 });
  });

  it('shortens the messages before it leaves out any object', () => {
    expect(fit(page(16, 'm'.repeat(160)))).toEqual({ shown: [16], messageMax: 80 });
  });

  it('past the budget, shows the first objects, with room kept for the line naming the next page', () => {
    const p = page(100, 'm'.repeat(160));
    const { shown, messageMax } = fit(p);
    expect(shown[0]).toBeLessThan(100);
    const again = page(shown[0]!, 'm'.repeat(160), { continue: 'x'.repeat(200), remainingItemCount: 60 });
    const text = renderListing(again, HEADER, messageMax, NOW);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(TEXT_BUDGET);
  });

  it('shows the minimum even when one object alone is larger than the budget', () => {
    const p: ListingPage = { ...page(3), yaml: Array.from({ length: 3 }, () => 'y'.repeat(5000)) };
    expect(fit(p).shown).toEqual([1]);
  });
});

describe('a page of objects with a limit', () => {
  it('shows the whole page, messages whole', () => {
    expect(fit(page(100, 'm'.repeat(160)), { limit: 100 })).toEqual({ shown: [100], messageMax: 160 });
  });
});

describe('renderListing', () => {
  it('ends with how many objects are left and the continue token that gets them', () => {
    const text = renderListing(
      page(2, undefined, { continue: 'abc', remainingItemCount: 5 }),
      HEADER,
      160,
      NOW,
    );
    expect(text.split('\n')).toEqual([
      `${HEADER}:`,
      'Kustomization apps/app-0  Ready',
      'Kustomization apps/app-1  Ready',
      '5 more objects: call again with continue: "abc"',
    ]);
  });

  it('separates YAML documents with ---', () => {
    const text = renderListing({ ...page(2), yaml: ['a: 1', 'b: 2'] }, HEADER, 160, NOW);
    expect(text).toBe(`${HEADER}:\na: 1\n---\nb: 2`);
  });
});
