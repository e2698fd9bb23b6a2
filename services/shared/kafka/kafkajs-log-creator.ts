import { type LogEntry, type logCreator, logLevel } from 'kafkajs';
import { redact } from '../config/redact.js';
import type { Logger } from '../logging/logger.js';

/** The kafkajs level that lets through what the pino logger would print, and nothing more. */
export function kafkajsLevelFor(logger: Pick<Logger, 'level'>): logLevel {
  switch (logger.level) {
    case 'silent':
      return logLevel.NOTHING;
    case 'fatal':
    case 'error':
      return logLevel.ERROR;
    case 'warn':
      return logLevel.WARN;
    case 'info':
      return logLevel.INFO;
    default:
      return logLevel.DEBUG;
  }
}

/**
 * The structured fields of a kafkajs log entry, safe to log: credentials are redacted by name
 * and a `sasl` object (mechanism + credentials) is never passed on whole.
 */
export function kafkajsLogFields(entry: LogEntry): Record<string, unknown> {
  const { message: _message, timestamp: _timestamp, logger: _logger, ...extra } = entry.log;
  const fields: Record<string, unknown> = { kafkajs: entry.namespace };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) continue;
    fields[key] = key === 'sasl' && typeof value === 'object' && value !== null ? '[redacted]' : value;
  }
  return redact(fields);
}

/**
 * kafkajs logs every error response of the protocol at ERROR in its Connection namespace, also
 * the ones its own retries handle (a heartbeat answered "rebalancing" is how a member learns of a
 * rebalance). Those are demoted; what kafkajs cannot recover from surfaces again as an error of
 * the consumer or producer that failed.
 */
export function effectiveLevel(entry: LogEntry): logLevel {
  if (entry.level !== logLevel.ERROR || entry.namespace !== 'Connection') return entry.level;
  if (!String(entry.log.message).startsWith('Response ')) return entry.level;
  return /rebalanc/i.test(String(entry.log.error ?? '')) ? logLevel.DEBUG : logLevel.WARN;
}

/** Routes kafkajs' own logging into our pino logger (one JSON line per entry). */
export function pinoLogCreator(logger: Logger): logCreator {
  return () => (entry) => {
    const fields = kafkajsLogFields(entry);
    const message = entry.log.message;
    switch (effectiveLevel(entry)) {
      case logLevel.ERROR:
        logger.error(fields, message);
        break;
      case logLevel.WARN:
        logger.warn(fields, message);
        break;
      case logLevel.INFO:
        logger.info(fields, message);
        break;
      default:
        logger.debug(fields, message);
    }
  };
}
