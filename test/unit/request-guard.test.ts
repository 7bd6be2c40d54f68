import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { RequestGuard } from '../../src/server/http/guard.js';

function req(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('RequestGuard on loopback', () => {
  const guard = new RequestGuard({ bindHost: '127.0.0.1', allowedHosts: [], allowedOrigins: [] });

  it('accepts the loopback names with any port', () => {
    for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'localhost']) {
      expect(guard.check(req({ host }))).toBeUndefined();
    }
  });

  it('refuses another Host, as a rebound DNS name would send', () => {
    expect(guard.check(req({ host: 'evil.example.com:8080' }))).toBe(
      'Host evil.example.com is not one this server answers to; add it to --allowed-hosts',
    );
    expect(guard.check(req({}))).toBe('missing Host header');
  });

  it('accepts an Origin on a loopback name and refuses others', () => {
    expect(guard.check(req({ host: 'localhost:8080', origin: 'http://localhost:8080' }))).toBeUndefined();
    expect(guard.check(req({ host: 'localhost:8080', origin: 'http://evil.example.com' }))).toMatch(
      /^Origin http:\/\/evil.example.com is not allowed/,
    );
    expect(guard.check(req({ host: 'localhost:8080', origin: 'null' }))).toMatch(
      /^Origin null is not allowed/,
    );
  });
});

describe('RequestGuard with configured hosts and origins', () => {
  const guard = new RequestGuard({
    bindHost: '0.0.0.0',
    allowedHosts: ['flux-ops-mcp.flux-system.svc'],
    allowedOrigins: ['https://console.example.com'],
  });

  it('accepts the configured host and loopback, not the wildcard address', () => {
    expect(guard.check(req({ host: 'flux-ops-mcp.flux-system.svc:8080' }))).toBeUndefined();
    expect(guard.check(req({ host: '127.0.0.1' }))).toBeUndefined();
    expect(guard.check(req({ host: '0.0.0.0' }))).toBeDefined();
  });

  it('accepts a configured origin', () => {
    expect(guard.check(req({ host: 'localhost', origin: 'https://console.example.com' }))).toBeUndefined();
  });

  it('accepts any Host with *', () => {
    const any = new RequestGuard({ bindHost: '0.0.0.0', allowedHosts: ['*'], allowedOrigins: [] });
    expect(any.check(req({ host: '10.1.2.3:8080' }))).toBeUndefined();
    expect(any.check(req({ host: '10.1.2.3:8080', origin: 'http://evil.example.com' }))).toBeDefined();
  });
});
