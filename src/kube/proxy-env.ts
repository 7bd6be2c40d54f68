// The proxy kubectl would use for a cluster whose kubeconfig entry names none: HTTPS_PROXY (HTTP_PROXY for
// an http:// server) unless NO_PROXY excludes the host, as Go's net/http reads them
// (golang.org/x/net/http/httpproxy, FromEnvironment and ProxyFunc).
import { BlockList, isIP } from 'node:net';

function envAny(env: NodeJS.ProcessEnv, ...names: string[]): string {
  for (const name of names) {
    const v = env[name];
    if (v) return v;
  }
  return '';
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return isIP(host) === 6 && (host === '::1' || host === '0:0:0:0:0:0:0:1');
}

/** Whether one NO_PROXY entry covers the host (and port). */
function excludes(entry: string, host: string, port: string): boolean {
  if (entry === '*') return true;
  const cidr = /^(.+)\/(\d+)$/.exec(entry);
  if (cidr && isIP(cidr[1]!) && isIP(host)) {
    const family = isIP(cidr[1]!) === 4 ? 'ipv4' : 'ipv6';
    if (isIP(host) !== isIP(cidr[1]!)) return false;
    const list = new BlockList();
    list.addSubnet(cidr[1]!, Number(cidr[2]), family);
    return list.check(host, family);
  }
  let name = entry;
  let entryPort = '';
  const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
  if (withPort) {
    name = withPort[1]!.replace(/^\[|\]$/g, '');
    entryPort = withPort[2]!;
  }
  if (entryPort && entryPort !== port) return false;
  if (isIP(name)) return name === host;
  const domain = name.toLowerCase().replace(/^\*?\./, '.');
  if (domain.startsWith('.')) return host.endsWith(domain);
  return host === domain || host.endsWith(`.${domain}`);
}

/** The proxy URL for requests to `server`, or undefined for a direct connection. */
export function proxyFromEnvironment(
  server: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return undefined;
  }
  const proxy =
    url.protocol === 'https:'
      ? envAny(env, 'HTTPS_PROXY', 'https_proxy')
      : url.protocol === 'http:'
        ? envAny(env, 'HTTP_PROXY', 'http_proxy')
        : '';
  if (!proxy) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopback(host)) return undefined;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const noProxy = envAny(env, 'NO_PROXY', 'no_proxy')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (noProxy.some((entry) => excludes(entry, host, port))) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}
