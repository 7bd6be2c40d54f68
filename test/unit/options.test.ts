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
  it('defaults to stdio, info logs, read-write, and HTTP on 127.0.0.1:8080 with sessions', () => {
    expect(run([])).toEqual({
      transport: 'stdio',
      readOnly: false,
      disableDestructive: false,
      logLevel: 'info',
      http: {
        host: '127.0.0.1',
        port: 8080,
        stateless: false,
        allowedHosts: [],
        allowedOrigins: [],
        maxBodyBytes: 1048576,
        shutdownTimeoutMs: 25_000,
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
        '--tls-cert',
        '/etc/tls.crt',
        '--tls-key',
        '/etc/tls.key',
        '--max-body-bytes',
        '65536',
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
      },
      tlsCert: '/etc/tls.crt',
      tlsKey: '/etc/tls.key',
      maxBodyBytes: 65536,
      shutdownTimeoutMs: 60_000,
    });
  });

  it('takes the log level from the environment when the flag is absent', () => {
    expect(run([], { FLUX_OPS_MCP_LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
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
