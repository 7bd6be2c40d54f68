import { describe, expect, it } from 'vitest';
import { errorText, isLoopback, parseOptions, USAGE, type Options } from '../../src/options.js';

function run(argv: string[], env: NodeJS.ProcessEnv = {}, tools?: string[]): Options {
  const r = parseOptions(argv, env, tools);
  if (r.kind !== 'run') throw new Error(`expected options, got ${JSON.stringify(r)}`);
  return r.options;
}

function error(argv: string[], tools?: string[]): string {
  const r = parseOptions(argv, {}, tools);
  if (r.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(r)}`);
  return r.message;
}

describe('parseOptions', () => {
  it('defaults to stdio, info logs, read-write, waits of 50s, and HTTP on 127.0.0.1:8080 with sessions', () => {
    expect(run([])).toEqual({
      transport: 'stdio',
      readOnly: false,
      disableDestructive: false,
      logLevel: 'info',
      waitTimeoutMs: 50_000,
      http: {
        host: '127.0.0.1',
        port: 8080,
        stateless: false,
        allowedHosts: [],
        allowedOrigins: [],
        maxBodyBytes: 1048576,
        requestTimeoutMs: 30_000,
        maxConnections: 2000,
        shutdownTimeoutMs: 25_000,
        impersonate: false,
        limits: {
          maxSessions: 1000,
          maxSessionsPerCaller: 50,
          sessionIdleMs: 30 * 60_000,
          rateLimit: { calls: 120, windowMs: 60_000 },
        },
      },
    });
  });

  it('reads the general and safety flags', () => {
    expect(
      run([
        '--kubeconfig',
        '/a:/b',
        '--context',
        'prod',
        '--read-only',
        '--disable-destructive',
        '--tools',
        'get_kubernetes_resources, get_kubeconfig_contexts',
        '--allowed-contexts',
        'prod,staging',
        '--allowed-namespaces',
        'apps,infra',
        '--audit-log',
        '/var/log/audit.jsonl',
        '--log-level',
        'debug',
      ]),
    ).toMatchObject({
      transport: 'stdio',
      kubeconfig: '/a:/b',
      context: 'prod',
      readOnly: true,
      disableDestructive: true,
      tools: ['get_kubernetes_resources', 'get_kubeconfig_contexts'],
      allowedContexts: ['prod', 'staging'],
      allowedNamespaces: ['apps', 'infra'],
      auditLog: '/var/log/audit.jsonl',
      logLevel: 'debug',
    });
  });

  it('reads the HTTP flags', () => {
    expect(
      run([
        '--transport',
        'http',
        '--host',
        '0.0.0.0',
        '--port',
        '9090',
        '--stateless',
        '--allowed-hosts',
        'mcp.example.com',
        '--allowed-origins',
        'https://app.example.com',
        '--auth-tokens',
        '/etc/tokens',
        '--oidc-issuer',
        'https://id.example.com',
        '--oidc-audience',
        'flux-ops-mcp',
        '--oidc-jwks-file',
        '/etc/jwks.json',
        '--oidc-identity-claim',
        'email',
        '--oidc-groups-claim',
        'roles',
        '--oidc-required-scopes',
        'flux:operate, openid',
        '--oidc-write-scopes',
        'flux:write',
        '--oidc-groups-prefix',
        'oidc:',
        '--oidc-resource',
        'https://flux-ops.example.com/mcp',
        '--impersonate',
        '--max-sessions',
        '20',
        '--max-sessions-per-caller',
        '5',
        '--session-idle-timeout',
        '10m',
        '--rate-limit',
        '30/10s',
        '--tls-cert',
        '/etc/tls.crt',
        '--tls-key',
        '/etc/tls.key',
        '--max-body-bytes',
        '65536',
        '--request-timeout',
        '2m',
        '--max-connections',
        '300',
        '--shutdown-timeout',
        '1m',
      ]).http,
    ).toEqual({
      host: '0.0.0.0',
      port: 9090,
      stateless: true,
      allowedHosts: ['mcp.example.com'],
      allowedOrigins: ['https://app.example.com'],
      authTokensFile: '/etc/tokens',
      oidc: {
        issuer: 'https://id.example.com',
        audience: 'flux-ops-mcp',
        jwksFile: '/etc/jwks.json',
        identityClaim: 'email',
        groupsClaim: 'roles',
        usernamePrefix: '',
        groupsPrefix: 'oidc:',
        requiredScopes: ['flux:operate', 'openid'],
        writeScopes: ['flux:write'],
        resource: 'https://flux-ops.example.com/mcp',
      },
      tlsCert: '/etc/tls.crt',
      tlsKey: '/etc/tls.key',
      maxBodyBytes: 65536,
      requestTimeoutMs: 120_000,
      maxConnections: 300,
      shutdownTimeoutMs: 60_000,
      impersonate: true,
      limits: {
        maxSessions: 20,
        maxSessionsPerCaller: 5,
        sessionIdleMs: 600_000,
        rateLimit: { calls: 30, windowMs: 10_000 },
      },
    });
  });

  describe('OIDC name prefixes, as kube-apiserver sets them', () => {
    const oidcOf = (...extra: string[]) =>
      run([
        '--transport',
        'http',
        '--oidc-issuer',
        'https://id.example.com/realms/eng',
        '--oidc-audience',
        'flux-ops-mcp',
        ...extra,
      ]).http.oidc!;

    it('prefixes a claim other than email with the issuer URL and "#", and groups with nothing', () => {
      expect(oidcOf()).toMatchObject({
        usernamePrefix: 'https://id.example.com/realms/eng#',
        groupsPrefix: '',
      });
      expect(oidcOf('--oidc-identity-claim', 'preferred_username').usernamePrefix).toBe(
        'https://id.example.com/realms/eng#',
      );
    });

    it('leaves the email claim without a prefix, unless one is given', () => {
      expect(oidcOf('--oidc-identity-claim', 'email').usernamePrefix).toBe('');
      expect(oidcOf('--oidc-identity-claim', 'email', '--oidc-username-prefix', 'oidc:').usernamePrefix).toBe(
        'oidc:',
      );
    });

    it('takes "-" for no username prefix, and any other value as it is', () => {
      expect(oidcOf('--oidc-username-prefix', '-').usernamePrefix).toBe('');
      expect(oidcOf('--oidc-username-prefix', 'oidc:').usernamePrefix).toBe('oidc:');
      expect(oidcOf('--oidc-groups-prefix', '-').groupsPrefix).toBe('-');
    });

    it('refuses a prefix that could not be carried, or that makes system: names', () => {
      const fail = (...extra: string[]) =>
        error([
          '--transport',
          'http',
          '--oidc-issuer',
          'https://id.example.com',
          '--oidc-audience',
          'a',
          ...extra,
        ]);
      expect(fail('--oidc-username-prefix', ' oidc:')).toMatch(
        /^--oidc-username-prefix " oidc:" starts with U\+0020/,
      );
      expect(fail('--oidc-groups-prefix', 'system:')).toMatch(/would make every name a system: name/);
      expect(fail('--oidc-write-scopes', 'a b')).toMatch(/"a b" is not a valid OAuth scope/);
    });
  });

  it('refuses a request timeout under 1s and a connection cap under 1', () => {
    expect(error(['--transport', 'http', '--request-timeout', '100ms'])).toMatch(
      /^--request-timeout must be/,
    );
    expect(error(['--transport', 'http', '--max-connections', '0'])).toMatch(/^--max-connections must be/);
  });

  it('turns the rate limit off with "off", and keeps the cap per caller within the cap in all', () => {
    const limits = run(['--transport', 'http', '--rate-limit', 'off', '--max-sessions', '3']).http.limits;
    expect(limits.rateLimit).toBeUndefined();
    expect(limits.maxSessionsPerCaller).toBe(3);
  });

  it('rejects malformed limits', () => {
    expect(error(['--transport', 'http', '--rate-limit', '10'])).toMatch(
      /^--rate-limit must be calls per duration/,
    );
    expect(error(['--transport', 'http', '--rate-limit', '0/1m'])).toMatch(/^--rate-limit must be/);
    expect(error(['--transport', 'http', '--rate-limit', '5/100ms'])).toMatch(/^--rate-limit must be/);
    expect(error(['--transport', 'http', '--max-sessions', '0'])).toMatch(
      /^--max-sessions must be a whole number/,
    );
    expect(error(['--transport', 'http', '--max-sessions-per-caller', '1.5'])).toMatch(
      /^--max-sessions-per-caller must be/,
    );
    expect(error(['--transport', 'http', '--session-idle-timeout', 'soon'])).toMatch(
      /^--session-idle-timeout must be a duration/,
    );
  });

  it('impersonates only callers with a name, over HTTP', () => {
    expect(error(['--transport', 'http', '--impersonate'])).toMatch(
      /^--impersonate needs callers with a name: give --auth-tokens FILE or --oidc-issuer URL/,
    );
    expect(error(['--impersonate'])).toBe('--impersonate needs --transport http');
    expect(run(['--transport', 'http', '--impersonate', '--auth-tokens', '/t']).http.impersonate).toBe(true);
  });

  it('checks the OAuth resource URL and the required scopes', () => {
    const oidc = ['--transport', 'http', '--oidc-issuer', 'https://id.example.com', '--oidc-audience', 'a'];
    expect(error([...oidc, '--oidc-resource', 'flux-ops.example.com/mcp'])).toMatch(
      /^--oidc-resource must be the http\(s\) URL/,
    );
    expect(error([...oidc, '--oidc-resource', 'https://flux-ops.example.com/mcp#x'])).toMatch(
      /^--oidc-resource must be/,
    );
    expect(error([...oidc, '--oidc-required-scopes', 'a,"b"'])).toBe(
      '--oidc-required-scopes: ""b"" is not a valid OAuth scope',
    );
    expect(error(['--transport', 'http', '--oidc-groups-claim', 'roles'])).toBe(
      '--oidc-groups-claim needs --oidc-issuer',
    );
  });

  it('takes the log level from the environment when the flag is absent', () => {
    expect(run([], { FLUX_OPS_MCP_LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
  });

  it('takes the context, read-only and allowed namespaces from the environment when the flags are absent', () => {
    const env = {
      FLUX_OPS_MCP_CONTEXT: 'prod',
      FLUX_OPS_MCP_READ_ONLY: 'true',
      FLUX_OPS_MCP_ALLOWED_NAMESPACES: 'apps, infra',
    };
    expect(run([], env)).toMatchObject({
      context: 'prod',
      readOnly: true,
      allowedNamespaces: ['apps', 'infra'],
    });
    expect(run([], { FLUX_OPS_MCP_READ_ONLY: '0' }).readOnly).toBe(false);
  });

  it('lets a flag win over its environment variable', () => {
    const env = {
      FLUX_OPS_MCP_CONTEXT: 'prod',
      FLUX_OPS_MCP_ALLOWED_NAMESPACES: 'apps',
      FLUX_OPS_MCP_LOG_LEVEL: 'warn',
    };
    expect(
      run(['--context', 'dev', '--allowed-namespaces', 'infra', '--log-level', 'debug'], env),
    ).toMatchObject({
      context: 'dev',
      allowedNamespaces: ['infra'],
      logLevel: 'debug',
    });
  });

  it('treats empty environment values as not set, as a Claude Desktop bundle passes optional settings left empty', () => {
    const env = {
      FLUX_OPS_MCP_CONTEXT: '',
      FLUX_OPS_MCP_READ_ONLY: ' ',
      FLUX_OPS_MCP_ALLOWED_NAMESPACES: '',
      FLUX_OPS_MCP_LOG_LEVEL: '',
    };
    expect(run([], env)).toEqual(run([]));
  });

  it('refuses a read-only environment value that is neither true nor false', () => {
    const r = parseOptions([], { FLUX_OPS_MCP_READ_ONLY: 'yes please' });
    expect(r).toEqual({
      kind: 'error',
      message: 'FLUX_OPS_MCP_READ_ONLY must be true or false, not "yes please"',
      usage: false,
    });
  });

  it('rejects unknown flags, positional arguments and bad values', () => {
    expect(parseOptions(['--nope'], {}).kind).toBe('error');
    expect(parseOptions(['serve'], {}).kind).toBe('error');
    expect(error(['--log-level', 'loud'])).toBe(
      '--log-level must be one of trace, debug, info, warn, error, fatal, silent, not "loud"',
    );
    expect(parseOptions(['--context', ''], {}).kind).toBe('error');
  });

  it('refuses to listen beyond loopback without authentication', () => {
    expect(error(['--transport', 'http', '--host', '0.0.0.0'])).toMatch(
      /^refusing to listen on 0\.0\.0\.0 without authentication/,
    );
    expect(run(['--transport', 'http', '--host', '0.0.0.0', '--auth-tokens', '/t']).http.host).toBe(
      '0.0.0.0',
    );
    expect(run(['--transport', 'http', '--host', '::1']).http.host).toBe('::1');
  });

  it('rejects HTTP flags without --transport http', () => {
    expect(error(['--port', '9090'])).toBe('--port needs --transport http');
  });

  it('rejects tool names it does not know, listing the ones it does', () => {
    expect(error(['--tools', 'get_a,nope'], ['get_a', 'get_b'])).toBe(
      '--tools names unknown tools: nope (tools: get_a, get_b)',
    );
  });

  it('rejects a --context outside --allowed-contexts', () => {
    expect(error(['--context', 'prod', '--allowed-contexts', 'dev'])).toBe(
      '--context prod is not one of --allowed-contexts (dev)',
    );
  });

  it('takes the directories local files may be read from, for either transport, absolute only', () => {
    expect(run(['--allowed-paths', '/srv/git, /home/me/repos']).allowedPaths).toEqual([
      '/srv/git',
      '/home/me/repos',
    ]);
    expect(run(['--transport', 'http', '--allowed-paths', '/srv/git']).allowedPaths).toEqual(['/srv/git']);
    expect(error(['--allowed-paths', 'repos'])).toBe('--allowed-paths: "repos" is not an absolute path');
  });

  it('takes how long writes wait when a call gives no timeout, from 1s to 30m', () => {
    expect(run(['--wait-timeout', '5m']).waitTimeoutMs).toBe(300_000);
    expect(error(['--wait-timeout', '31m'])).toMatch(/^--wait-timeout must be a duration from 1s to 30m/);
    expect(error(['--wait-timeout', 'soon'])).toMatch(/^--wait-timeout must be/);
  });

  it('rejects malformed values', () => {
    expect(error(['--allowed-namespaces', 'Apps'])).toBe(
      '--allowed-namespaces: "Apps" is not a valid namespace name',
    );
    expect(error(['--transport', 'http', '--port', '70000'])).toMatch(/^--port must be a port number/);
    expect(error(['--transport', 'http', '--shutdown-timeout', 'soon'])).toMatch(
      /^--shutdown-timeout must be/,
    );
    expect(error(['--transport', 'http', '--max-body-bytes', '10'])).toMatch(/^--max-body-bytes must be/);
    expect(error(['--transport', 'http', '--tls-cert', '/c'])).toBe('--tls-cert and --tls-key go together');
  });

  it('needs an audience and a way to find keys for OIDC', () => {
    expect(error(['--transport', 'http', '--oidc-issuer', 'https://id.example.com'])).toBe(
      '--oidc-issuer needs --oidc-audience',
    );
    expect(
      error(['--transport', 'http', '--oidc-issuer', 'http://id.example.com', '--oidc-audience', 'a']),
    ).toMatch(/must be https to discover its keys/);
    expect(error(['--transport', 'http', '--oidc-audience', 'a'])).toBe(
      '--oidc-audience needs --oidc-issuer',
    );
  });

  it('answers --help and --version, but not beside an unknown flag', () => {
    expect(parseOptions(['--help', '--nope=1'], {}).kind).toBe('error');
    expect(parseOptions(['-h'], {}).kind).toBe('help');
    expect(parseOptions(['--version'], {}).kind).toBe('version');
  });
});

describe('errorText', () => {
  function refused(argv: string[]) {
    const r = parseOptions(argv, {});
    if (r.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(r)}`);
    return errorText(r);
  }

  it('says in one line what is wrong with a flag value and points to --help', () => {
    expect(refused(['--port', '9090'])).toBe(
      'flux-ops-mcp: --port needs --transport http\nRun flux-ops-mcp --help for the flags.\n',
    );
  });

  it('prints the usage after a command line that does not parse', () => {
    const text = refused(['--frobnicate']);
    expect(text.split('\n')[0]).toMatch(/^flux-ops-mcp: Unknown option '--frobnicate'/);
    expect(text.endsWith(USAGE)).toBe(true);
  });
});

describe('isLoopback', () => {
  it('knows the loopback names and addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com']) expect(isLoopback(h)).toBe(false);
  });
});
