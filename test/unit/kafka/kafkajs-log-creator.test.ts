import { Writable } from 'node:stream';
import { type LogEntry, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  effectiveLevel,
  kafkajsLevelFor,
  kafkajsLogFields,
  pinoLogCreator,
} from '../../../services/shared/kafka/kafkajs-log-creator.js';

function captureLogger(level = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: pino({ level }, stream) };
}

const entry = (level: logLevel, namespace: string, log: Record<string, unknown>): LogEntry => ({
  namespace,
  level,
  label: 'X',
  log: { timestamp: '2026-01-01T00:00:00Z', message: 'm', ...log },
});

describe('kafkajs log routing', () => {
  it('maps pino levels to the kafkajs level that lets the same entries through', () => {
    expect(kafkajsLevelFor({ level: 'silent' })).toBe(logLevel.NOTHING);
    expect(kafkajsLevelFor({ level: 'error' })).toBe(logLevel.ERROR);
    expect(kafkajsLevelFor({ level: 'warn' })).toBe(logLevel.WARN);
    expect(kafkajsLevelFor({ level: 'info' })).toBe(logLevel.INFO);
    expect(kafkajsLevelFor({ level: 'trace' })).toBe(logLevel.DEBUG);
  });

  it('never passes credentials on', () => {
    const fields = kafkajsLogFields(
      entry(logLevel.INFO, 'Connection', {
        broker: 'b:9092',
        sasl: { mechanism: 'plain', username: 'u', password: 'hunter2' },
        saslPassword: 'hunter2',
        nested: { password: 'hunter2', token: 'abc' },
      }),
    );
    expect(JSON.stringify(fields)).not.toContain('hunter2');
    expect(JSON.stringify(fields)).not.toContain('abc');
    expect(fields).toMatchObject({ kafkajs: 'Connection', broker: 'b:9092', sasl: '[redacted]' });
  });

  it('demotes protocol error responses kafkajs retries by itself', () => {
    const rebalancing = entry(logLevel.ERROR, 'Connection', {
      message: 'Response Heartbeat(key: 12, version: 3)',
      error: 'The group is rebalancing, so a rejoin is needed',
    });
    const other = entry(logLevel.ERROR, 'Connection', {
      message: 'Response Metadata(key: 3, version: 6)',
      error: 'This server does not host this topic-partition',
    });
    const crash = entry(logLevel.ERROR, 'Consumer', { message: 'Crash: KafkaJSNumberOfRetriesExceeded' });
    expect(effectiveLevel(rebalancing)).toBe(logLevel.DEBUG);
    expect(effectiveLevel(other)).toBe(logLevel.WARN);
    expect(effectiveLevel(crash)).toBe(logLevel.ERROR);
  });

  it('writes one pino line per entry with the message and fields', () => {
    const { lines, logger } = captureLogger();
    const log = pinoLogCreator(logger)(logLevel.DEBUG);
    log(entry(logLevel.WARN, 'Runner', { message: 'The group is rebalancing, re-joining', groupId: 'g' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      msg: 'The group is rebalancing, re-joining',
      groupId: 'g',
      kafkajs: 'Runner',
    });
  });
});
