import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../src/options.js';

describe('parseOptions', () => {
  it('defaults to stdio, info logs and read-write', () => {
    expect(parseOptions([], {})).toEqual({
      kind: 'run',
      options: { transport: 'stdio', readOnly: false, logLevel: 'info' },
    });
  });

  it('reads every flag', () => {
    expect(
      parseOptions(
        [
          '--transport',
          'http',
          '--kubeconfig',
          '/a:/b',
          '--context',
          'prod',
          '--read-only',
          '--log-level',
          'debug',
        ],
        {},
      ),
    ).toEqual({
      kind: 'run',
      options: { transport: 'http', kubeconfig: '/a:/b', context: 'prod', readOnly: true, logLevel: 'debug' },
    });
  });

  it('takes the log level from the environment when the flag is absent', () => {
    const r = parseOptions([], { FLUX_OPS_MCP_LOG_LEVEL: 'warn' });
    expect(r.kind === 'run' && r.options.logLevel).toBe('warn');
  });

  it('rejects unknown flags, positional arguments and bad values', () => {
    expect(parseOptions(['--nope'], {}).kind).toBe('error');
    expect(parseOptions(['serve'], {}).kind).toBe('error');
    expect(parseOptions(['--log-level', 'loud'], {})).toEqual({
      kind: 'error',
      message: '--log-level must be one of trace, debug, info, warn, error, fatal, silent, not "loud"',
    });
    expect(parseOptions(['--context', ''], {}).kind).toBe('error');
  });

  it('answers --help and --version, but not beside an unknown flag', () => {
    expect(parseOptions(['--help', '--nope=1'], {}).kind).toBe('error');
    expect(parseOptions(['-h'], {}).kind).toBe('help');
    expect(parseOptions(['--version'], {}).kind).toBe('version');
  });
});
