import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseTokenFile, TokenFile } from '../../src/server/http/tokens.js';

const silent = pino({ level: 'silent' });

describe('parseTokenFile', () => {
  it('reads name:token lines, skipping comments and blank lines', () => {
    const entries = parseTokenFile(
      '# team tokens\n\nalice:aaaaaaaaaaaaaaaa\nci-bot: bbbbbbbbbbbbbbbbbbbb\n',
      'f',
    );
    expect(entries.map((e) => e.name)).toEqual(['alice', 'ci-bot']);
  });

  it('reads the groups of a name:token:group1,group2 line, which may hold colons', () => {
    const [alice, bob] = parseTokenFile(
      'alice:aaaaaaaaaaaaaaaa:team-a, oidc:sre\nbob:bbbbbbbbbbbbbbbb\n',
      'f',
    );
    expect(alice).toMatchObject({ name: 'alice', groups: ['team-a', 'oidc:sre'] });
    expect(bob).toMatchObject({ name: 'bob', groups: [] });
  });

  it('refuses empty or malformed groups', () => {
    expect(() => parseTokenFile('alice:aaaaaaaaaaaaaaaa:', 'f')).toThrow(
      'f line 1: "" is not a valid group of alice',
    );
    expect(() => parseTokenFile('alice:aaaaaaaaaaaaaaaa:team a', 'f')).toThrow(
      /"team a" is not a valid group/,
    );
    expect(() => parseTokenFile('alice:aaaaaaaaaaaaaaaa:a,,b', 'f')).toThrow(/"" is not a valid group/);
  });

  it('names the line of the first problem', () => {
    expect(() => parseTokenFile('alice:aaaaaaaaaaaaaaaa\nbob\n', 'f')).toThrow(
      'f line 2: expected "name:token" or "name:token:group1,group2"',
    );
    expect(() => parseTokenFile('bob:short', 'f')).toThrow(
      'f line 1: the token of bob is shorter than 16 characters',
    );
    expect(() => parseTokenFile('a:aaaaaaaaaaaaaaaa\nb:aaaaaaaaaaaaaaaa', 'f')).toThrow(/used twice/);
    expect(() => parseTokenFile('bad name:aaaaaaaaaaaaaaaa', 'f')).toThrow(/not a valid name/);
  });
});

describe('TokenFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokens-'));
  const path = join(dir, 'tokens');

  it('names the caller of a known token and nobody for others', () => {
    writeFileSync(path, 'alice:aaaaaaaaaaaaaaaa\nbob:bbbbbbbbbbbbbbbb:team-b\n');
    const tokens = new TokenFile(path, silent);
    expect(tokens.verify('bbbbbbbbbbbbbbbb')).toEqual({ name: 'bob', groups: ['team-b'] });
    expect(tokens.verify('bbbbbbbbbbbbbbbc')).toBeUndefined();
    expect(tokens.verify('')).toBeUndefined();
  });

  it('keeps its tokens when a reload finds a broken file', () => {
    writeFileSync(path, 'alice:aaaaaaaaaaaaaaaa\n');
    const tokens = new TokenFile(path, silent);
    writeFileSync(path, 'alice\n');
    tokens.reload('test');
    expect(tokens.verify('aaaaaaaaaaaaaaaa')?.name).toBe('alice');
    writeFileSync(path, 'carol:cccccccccccccccc\n');
    tokens.reload('test');
    expect(tokens.verify('aaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(tokens.verify('cccccccccccccccc')?.name).toBe('carol');
  });

  it('refuses to start from a file it cannot read', () => {
    expect(() => new TokenFile(join(dir, 'missing'), silent)).toThrow(/^cannot read --auth-tokens/);
  });
});
