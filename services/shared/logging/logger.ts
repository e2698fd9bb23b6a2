import { type Logger, pino } from 'pino';
import type { LogConfig } from '../config/observability-config.js';

export type { Logger };

/**
 * Structured JSON logs (one object a line) for machines; pretty lines on a TTY for people.
 * Secrets never reach the logger: pass redacted config only (config/redact.ts).
 */
export function createLogger(name: string, config: Partial<LogConfig> = {}): Logger {
  const pretty = config.pretty === 'true' || (config.pretty !== 'false' && process.stdout.isTTY === true);
  const level = config.level ?? 'info';
  const redactPaths = ['*.password', '*.token', '*.saslPassword', '*.schemaRegistryPassword'];
  if (pretty) {
    return pino({
      name,
      level,
      redact: redactPaths,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', destination: 2 },
      },
    });
  }
  return pino({ name, level, redact: redactPaths }, pino.destination(2));
}
