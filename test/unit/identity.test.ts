import { describe, expect, it } from 'vitest';
import { isReserved, MAX_NAME_BYTES, nameProblem } from '../../src/kube/identity-names.js';
import { decideCaller, type Credential } from '../../src/server/http/identity.js';

function oidc(user: string, groups: string[] = [], extra: Partial<Credential> = {}): Credential {
  return {
    via: 'oidc',
    user,
    userSource: "the token's sub claim",
    groups,
    groupsSource: "the token's groups claim",
    ...extra,
  };
}

describe('names a header carries as they are', () => {
  it.each([
    ['alice'],
    ['alice@example.com'],
    ['https://id.example.com#1234'],
    ['cn=admins,ou=groups,dc=example,dc=com'],
    ['Team A'],
    ['zoë'],
    ['東京チーム'],
    ['a; b'],
  ])('accepts %j', (name) => expect(nameProblem(name)).toBeUndefined());

  it.each([
    ['', /is empty/],
    [' system:masters', /starts with U\+0020/],
    ['\tsystem:masters', /control character U\+0009/],
    ['\r\nsystem:masters', /control character U\+000D/],
    ['alice\n', /control character U\+000A/],
    ['al\u0000ice', /control character U\+0000/],
    ['al\u007fice', /control character U\+007F/],
    ['\u0085alice', /control character U\+0085/],
    ['\u00a0system:masters', /starts with U\+00A0/],
    ['\u3000system:masters', /starts with U\+3000/],
    ['\u200bsystem:masters', /starts with U\+200B/],
    ['\ufeffalice', /starts with U\+FEFF/],
    ['alice\u2029', /ends with U\+2029/],
    ['alice\u200d', /ends with U\+200D/],
    ['\ud800alice', /unpaired UTF-16 surrogate/],
    ['a'.repeat(MAX_NAME_BYTES + 1), /longer than 1024 bytes/],
  ])('refuses %j', (name, why) => expect(nameProblem(name)).toMatch(why));
});

describe('reserved names', () => {
  it.each([
    'system:masters',
    'SYSTEM:masters',
    'System:Masters',
    '\uff53\uff59\uff53\uff54\uff45\uff4d:masters',
    'sys\u200btem:masters',
  ])('%j reads as a system: name', (name) => expect(isReserved(name)).toBe(true));

  it.each(['systemd', 'system-admins', 'oidc:system:masters', 'https://id.example.com#system:masters'])(
    '%j does not',
    (name) => expect(isReserved(name)).toBe(false),
  );
});

describe('decideCaller', () => {
  it('names the caller by the user and groups of the credential, each group once', () => {
    expect(
      decideCaller({
        via: 'token-file',
        user: 'alice',
        userSource: "the token file's name",
        groups: ['team-a', 'team-a', 'sre'],
        groupsSource: "the token file's groups of alice",
      }),
    ).toEqual({
      ok: true,
      caller: { name: 'alice', groups: ['team-a', 'sre'], via: 'token-file' },
      dropped: [],
    });
  });

  it('puts the prefixes before the user and every group, after checking the claims', () => {
    const decided = decideCaller(
      oidc('1234', ['team-a'], { userPrefix: 'https://id.example.com#', groupsPrefix: 'oidc:' }),
    );
    expect(decided).toEqual({
      ok: true,
      caller: { name: 'https://id.example.com#1234', groups: ['oidc:team-a'], via: 'oidc' },
      dropped: [],
    });
  });

  it('refuses a claim with white space around it even when a prefix would hide it', () => {
    const decided = decideCaller(oidc(' alice', [], { userPrefix: 'oidc:' }));
    expect(decided).toEqual({
      ok: false,
      reason: `the token's sub claim " alice" starts with U+0020 (white space or an invisible character), which HTTP drops or hides before Kubernetes reads the name`,
    });
  });

  it('refuses a credential when any group cannot be carried, naming the claim and showing the value escaped', () => {
    const decided = decideCaller(oidc('alice', ['team-a', '\tsystem:masters']));
    expect(decided.ok).toBe(false);
    expect(!decided.ok && decided.reason).toBe(
      `the token's groups claim holds "\\u0009system:masters", which holds the control character U+0009, which an HTTP header cannot carry as it is`,
    );
  });

  it('refuses a user that Kubernetes keeps for itself, in any spelling', () => {
    for (const user of ['system:kube-controller-manager', 'SYSTEM:anonymous']) {
      const decided = decideCaller(oidc(user));
      expect(decided.ok).toBe(false);
      expect(!decided.ok && decided.reason).toContain('names that start with system: belong to Kubernetes');
    }
  });

  it('leaves out groups that Kubernetes keeps for itself, and says which', () => {
    expect(decideCaller(oidc('alice', ['system:masters', 'team-a', 'System:Nodes']))).toEqual({
      ok: true,
      caller: { name: 'alice', groups: ['team-a'], via: 'oidc' },
      dropped: ['system:masters', 'System:Nodes'],
    });
  });

  it('refuses an OIDC user that is the name of a token-file caller', () => {
    const decided = decideCaller(oidc('carol'), new Set(['carol']));
    expect(!decided.ok && decided.reason).toContain('the name of a caller of the token file');
    expect(decideCaller(oidc('carol', [], { userPrefix: 'https://id#' }), new Set(['carol'])).ok).toBe(true);
  });
});
