// Which proxy kubectl uses for a cluster without proxy-url: Go's net/http reading of HTTPS_PROXY, HTTP_PROXY
// and NO_PROXY (golang.org/x/net/http/httpproxy).
import { describe, expect, it } from 'vitest';
import { proxyFromEnvironment } from '../../src/kube/proxy-env.js';

const PROXY = 'http://proxy.corp:3128';
const via = (server: string, env: NodeJS.ProcessEnv) => proxyFromEnvironment(server, env);

describe('proxyFromEnvironment', () => {
  it('takes HTTPS_PROXY for an https server, and nothing without it', () => {
    expect(via('https://k8s.corp:6443', { HTTPS_PROXY: PROXY })).toBe(PROXY);
    expect(via('https://k8s.corp:6443', { HTTP_PROXY: PROXY })).toBeUndefined();
  });

  it('takes https_proxy when HTTPS_PROXY is not set', () => {
    expect(via('https://k8s.corp:6443', { https_proxy: PROXY })).toBe(PROXY);
  });

  it('takes HTTP_PROXY for an http server', () => {
    expect(via('http://k8s.corp:8080', { HTTP_PROXY: PROXY, HTTPS_PROXY: 'http://other:1' })).toBe(PROXY);
  });

  it('reads a proxy without a scheme as http', () => {
    expect(via('https://k8s.corp', { HTTPS_PROXY: 'proxy.corp:3128' })).toBe(PROXY);
  });

  it('never proxies localhost or a loopback address', () => {
    for (const server of ['https://localhost:6443', 'https://127.0.0.1:6443', 'https://[::1]:6443'])
      expect(via(server, { HTTPS_PROXY: PROXY }), server).toBeUndefined();
  });

  it('leaves out a host NO_PROXY names, and its subdomains', () => {
    const env = { HTTPS_PROXY: PROXY, NO_PROXY: 'corp.example' };
    expect(via('https://corp.example', env)).toBeUndefined();
    expect(via('https://k8s.corp.example', env)).toBeUndefined();
    expect(via('https://notcorp.example', env)).toBe(PROXY);
  });

  it('leaves out only subdomains for an entry with a leading dot or *.', () => {
    for (const entry of ['.corp.example', '*.corp.example']) {
      const env = { HTTPS_PROXY: PROXY, NO_PROXY: entry };
      expect(via('https://k8s.corp.example', env), entry).toBeUndefined();
      expect(via('https://corp.example', env), entry).toBe(PROXY);
    }
  });

  it('leaves out addresses in a NO_PROXY range, and exact addresses', () => {
    const env = { HTTPS_PROXY: PROXY, no_proxy: '10.0.0.0/8, 192.168.1.5' };
    expect(via('https://10.20.30.40:6443', env)).toBeUndefined();
    expect(via('https://192.168.1.5', env)).toBeUndefined();
    expect(via('https://192.168.1.6', env)).toBe(PROXY);
  });

  it('matches a NO_PROXY entry with a port only for that port', () => {
    const env = { HTTPS_PROXY: PROXY, NO_PROXY: 'k8s.corp:6443' };
    expect(via('https://k8s.corp:6443', env)).toBeUndefined();
    expect(via('https://k8s.corp:443', env)).toBe(PROXY);
  });

  it('leaves out every host for NO_PROXY=*', () => {
    expect(via('https://k8s.corp', { HTTPS_PROXY: PROXY, NO_PROXY: '*' })).toBeUndefined();
  });
});
