// DNS rebinding protection: the Host header must name this server, and a browser's Origin header must be
// one we expect. A page on evil.example that resolves its name to 127.0.0.1 sends Host: evil.example.
import type { IncomingMessage } from 'node:http';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]']);

function hostnameOf(hostHeader: string): string | undefined {
  try {
    return new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

export class RequestGuard {
  private readonly hosts: ReadonlySet<string>;
  private readonly anyHost: boolean;
  private readonly origins: ReadonlySet<string>;

  constructor(options: {
    bindHost: string;
    allowedHosts: readonly string[];
    allowedOrigins: readonly string[];
  }) {
    this.anyHost = options.allowedHosts.includes('*');
    const bind =
      options.bindHost.includes(':') && !options.bindHost.startsWith('[')
        ? `[${options.bindHost}]`
        : options.bindHost;
    const names = [...LOOPBACK_NAMES, ...options.allowedHosts.filter((h) => h !== '*')];
    if (!WILDCARD_ADDRESSES.has(bind)) names.push(bind);
    this.hosts = new Set(names.map((h) => hostnameOf(h) ?? h.toLowerCase()));
    this.origins = new Set(options.allowedOrigins.map((o) => o.replace(/\/$/, '').toLowerCase()));
  }

  /** Why a Host header is refused, or undefined when it names this server. */
  checkHost(host: string | undefined): string | undefined {
    if (!host) return 'missing Host header';
    const hostname = hostnameOf(host);
    if (!hostname) return `invalid Host header: ${host}`;
    if (!this.anyHost && !this.hosts.has(hostname)) {
      return `Host ${hostname} is not one this server answers to; add it to --allowed-hosts`;
    }
    return undefined;
  }

  /** Why the request is refused, or undefined when it may go on. */
  check(req: IncomingMessage): string | undefined {
    const refusedHost = this.checkHost(req.headers.host);
    if (refusedHost) return refusedHost;
    const origin = req.headers.origin;
    if (origin === undefined) return undefined;
    const normalized = origin.replace(/\/$/, '').toLowerCase();
    if (this.origins.has(normalized)) return undefined;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return `Origin ${origin} is not allowed; add it to --allowed-origins`;
    }
    if (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      this.hosts.has(url.hostname.toLowerCase())
    ) {
      return undefined;
    }
    return `Origin ${origin} is not allowed; add it to --allowed-origins`;
  }
}
