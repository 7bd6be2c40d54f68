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
import { impersonationOf } from '../../src/server/caller.js';

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

describe('impersonationOf', () => {
  it('acts as the caller with their groups', () => {
    expect(impersonationOf({ name: 'alice', groups: ['team-a', 'team-a', 'sre'] })).toEqual({
      ok: true,
      as: { user: 'alice', groups: ['team-a', 'sre'] },
      dropped: [],
    });
  });

  it('leaves out groups Kubernetes keeps for itself, such as system:masters', () => {
    const of = impersonationOf({ name: 'alice', groups: ['system:masters', 'team-a'] });
    expect(of).toEqual({ ok: true, as: { user: 'alice', groups: ['team-a'] }, dropped: ['system:masters'] });
  });

  it('refuses to act as a system: user', () => {
    const of = impersonationOf({ name: 'system:kube-controller-manager', groups: [] });
    expect(of.ok).toBe(false);
  });
});
