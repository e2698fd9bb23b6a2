import { type Logger, pino } from 'pino';

export interface LogEntry {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger whose JSON lines land in `entries`, for asserting what was logged. */
export function captureLogger(): {
  logger: Logger;
  entries: LogEntry[];
  at: (level: 'warn' | 'error') => LogEntry[];
} {
  const entries: LogEntry[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => entries.push(JSON.parse(s) as LogEntry) });
  const levels = { warn: 40, error: 50 } as const;
  return { logger, entries, at: (level) => entries.filter((e) => e.level === levels[level]) };
}
