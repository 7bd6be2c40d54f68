// Command-line options: parsing, validation and the usage text. Pure, so it can be tested alone.
import { parseArgs } from 'node:util';
import { LOG_LEVELS, type LogLevel } from './log.js';

export interface Options {
  transport: 'stdio' | 'http';
  kubeconfig?: string;
  context?: string;
  readOnly: boolean;
  logLevel: LogLevel;
}

export type ParseResult =
  | { kind: 'run'; options: Options }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'error'; message: string };

export const USAGE = `Usage: flux-ops-mcp [flags]

An MCP server that lets AI assistants operate Flux CD through your kubeconfig.

Flags:
  --transport stdio|http   How clients connect (default: stdio). http is not available yet.
  --kubeconfig PATH        Kubeconfig file(s), separated by ":" (default: $KUBECONFIG, then ~/.kube/config,
                           then the in-cluster service account).
  --context NAME           Kubeconfig context used when a call names none (default: the current context).
  --read-only              Offer only tools that read; tools that change the cluster are not registered.
  --log-level LEVEL        trace, debug, info, warn, error, fatal or silent (default: info). Logs go to stderr.
  --version                Print the version and exit.
  -h, --help               Print this help and exit.

Environment:
  KUBECONFIG               Kubeconfig file(s) when --kubeconfig is not given.
  FLUX_OPS_MCP_LOG_LEVEL   Log level when --log-level is not given.
`;

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ParseResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        transport: { type: 'string' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        'read-only': { type: 'boolean' },
        'log-level': { type: 'string' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  const v = parsed.values;
  if (v.help) return { kind: 'help' };
  if (v.version) return { kind: 'version' };

  const transport = v.transport ?? 'stdio';
  if (transport !== 'stdio' && transport !== 'http') {
    return { kind: 'error', message: `--transport must be stdio or http, not "${transport}"` };
  }
  const logLevel = v['log-level'] ?? env.FLUX_OPS_MCP_LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    return {
      kind: 'error',
      message: `--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}"`,
    };
  }
  for (const name of ['kubeconfig', 'context'] as const) {
    if (v[name] !== undefined && v[name].trim() === '')
      return { kind: 'error', message: `--${name} needs a value` };
  }
  return {
    kind: 'run',
    options: {
      transport,
      ...(v.kubeconfig ? { kubeconfig: v.kubeconfig } : {}),
      ...(v.context ? { context: v.context } : {}),
      readOnly: v['read-only'] ?? false,
      logLevel: logLevel as LogLevel,
    },
  };
}
