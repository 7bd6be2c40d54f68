import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  actAs,
  actAsSelf,
  currentActor,
  groupHeaderLines,
  impersonated,
  impersonationHeaders,
  SELF,
} from '../../src/kube/impersonation.js';

/** The header lines an interceptor hands on, for fetch-style headers (an object of joined values). */
function linesAfter(headers: Record<string, string>): string[][] {
  let seen: unknown;
  const dispatch = groupHeaderLines((opts: Dispatcher.DispatchOptions) => {
    seen = opts.headers;
    return true;
  });
  dispatch(
    { method: 'GET', path: '/', headers } as Dispatcher.DispatchOptions,
    {} as Dispatcher.DispatchHandler,
  );
  if (!Array.isArray(seen)) return Object.entries(seen as Record<string, string>);
  const flat = seen as string[];
  return Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!.toLowerCase(), flat[2 * i + 1]!]);
}

describe('impersonation headers', () => {
  it('name the user, and write one Impersonate-Group line per group, whatever the group holds', () => {
    const headers = {
      authorization: 'Bearer x',
      ...impersonationHeaders({ user: 'alice', groups: ['team-a', 'a, b'] }),
    };
    expect(linesAfter(headers)).toEqual([
      ['authorization', 'Bearer x'],
      ['impersonate-user', 'alice'],
      ['impersonate-group', 'team-a'],
      ['impersonate-group', 'a, b'],
    ]);
  });

  it('spell each group header differently, so an HTTP/2 client that joins equal names keeps them apart', () => {
    let seen: string[] = [];
    const dispatch = groupHeaderLines((opts: Dispatcher.DispatchOptions) => {
      seen = opts.headers as string[];
      return true;
    });
    const groups = Array.from({ length: 40 }, (_, i) => `g${i}`);
    const headers = impersonationHeaders({ user: 'alice', groups });
    dispatch(
      { method: 'GET', path: '/', headers } as Dispatcher.DispatchOptions,
      {} as Dispatcher.DispatchHandler,
    );
    const names = seen.filter((_, i) => i % 2 === 0 && seen[i]!.toLowerCase() === 'impersonate-group');
    expect(names).toHaveLength(40);
    expect(new Set(names).size).toBe(40);
  });

  it('carry a name that is not ASCII as its UTF-8 bytes, as kubectl --as sends it', () => {
    const lines = linesAfter(impersonationHeaders({ user: 'zoë', groups: ['équipe-東京'] }));
    const bytes = (v: string) => Buffer.from(v, 'latin1').toString('utf8');
    expect(lines.map(([k, v]) => [k, bytes(v!)])).toEqual([
      ['impersonate-user', 'zoë'],
      ['impersonate-group', 'équipe-東京'],
    ]);
  });

  it('refuse to send a name that HTTP would change on the way, or one Kubernetes keeps', () => {
    for (const who of [
      { user: ' system:masters', groups: [] },
      { user: 'alice', groups: ['\tsystem:masters'] },
      { user: 'alice', groups: ['system:masters'] },
      { user: 'system:kube-controller-manager', groups: [] },
    ])
      expect(() => impersonationHeaders(who)).toThrow(/internal error: refused to impersonate/);
  });

  it('leave a request without groups as it is', () => {
    expect(linesAfter(impersonationHeaders({ user: 'alice', groups: [] }))).toEqual([
      ['Impersonate-User', 'alice'],
    ]);
  });
});

describe('who a call acts as', () => {
  it('is the caller inside actAs, the server inside actAsSelf, and nobody outside', async () => {
    expect(currentActor()).toBeUndefined();
    const inside = await actAs({ user: 'alice', groups: [] }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      return impersonated()?.user;
    });
    expect(inside).toBe('alice');
    expect(actAsSelf(() => currentActor())).toBe(SELF);
    expect(actAsSelf(() => impersonated())).toBeUndefined();
  });

  it('keeps two calls that run at once apart', async () => {
    const seen = await Promise.all(
      ['alice', 'bob'].map((user) =>
        actAs({ user, groups: [] }, async () => {
          await new Promise((r) => setTimeout(r, user === 'alice' ? 5 : 1));
          return impersonated()?.user;
        }),
      ),
    );
    expect(seen).toEqual(['alice', 'bob']);
  });
});
