// Logs are JSON lines on stderr: stdout belongs to the stdio protocol.
import { pino, type Logger } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel): Logger {
  return pino({ name: 'flux-ops-mcp', level }, pino.destination({ fd: 2, sync: true }));
}

export type { Logger };
