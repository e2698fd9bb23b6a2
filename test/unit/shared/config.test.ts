import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../services/shared/config/config-error.js';
import { loadConfig } from '../../../services/shared/config/load-config.js';
import { redact } from '../../../services/shared/config/redact.js';

function configError(options: Parameters<typeof loadConfig>[0]): ConfigError {
  try {
    loadConfig(options);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('has working defaults with an empty environment', () => {
    const c = loadConfig({ env: {} });
    expect(c.transport).toBe('embedded');
    expect(c.topics.ticks).toEqual({ name: 'market.ticks', partitions: 6 });
    expect(c.metrics.host).toBe('127.0.0.1');
  });

  it('reads typed values from RISK_* variables', () => {
    const c = loadConfig({
      env: {
        RISK_TRANSPORT: 'kafka',
        RISK_KAFKA_BROKERS: '127.0.0.1:1, 127.0.0.1:2',
        RISK_KAFKA_SSL: 'true',
        RISK_TOPICS_TICKS_PARTITIONS: '12',
        RISK_INFLUX_API_VERSION: '1',
      },
    });
    expect(c.kafka.brokers).toEqual(['127.0.0.1:1', '127.0.0.1:2']);
    expect(c.kafka.ssl).toBe(true);
    expect(c.topics.ticks.partitions).toBe(12);
    expect(c.influx.apiVersion).toBe('1');
  });

  it('lets the environment override the file and overrides win over both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ kafka: { clientId: 'from-file', commitIntervalMs: 50 } }));
    const c = loadConfig({
      env: { RISK_KAFKA_CLIENT_ID: 'from-env' },
      file,
      overrides: { kafka: { commitIntervalMs: 7 } },
    });
    expect(c.kafka.clientId).toBe('from-env');
    expect(c.kafka.commitIntervalMs).toBe(7);
  });

  it('names the field, its variable, what was expected and what came', () => {
    const err = configError({ env: { RISK_METRICS_PORT: 'ninety' } });
    expect(err.message).toContain('metrics.port');
    expect(err.message).toContain('RISK_METRICS_PORT');
    expect(err.message).toContain('expected number');
    expect(err.message).toContain('"ninety"');
  });

  it('rejects unknown enum values and bad broker addresses', () => {
    expect(configError({ env: { RISK_TRANSPORT: 'pigeon' } }).message).toContain('transport');
    expect(configError({ env: { RISK_KAFKA_BROKERS: 'localhost' } }).message).toContain('host:port');
  });

  it('requires SASL credentials and InfluxDB v2 settings together', () => {
    expect(configError({ env: { RISK_KAFKA_SASL_MECHANISM: 'plain' } }).message).toContain(
      'kafka.saslUsername',
    );
    const influx = configError({ env: { RISK_INFLUX_ENABLED: 'true', RISK_INFLUX_API_VERSION: '2' } });
    expect(influx.problems.join()).toMatch(/influx\.token.*influx\.org.*influx\.bucket/s);
  });

  it('rejects unknown top-level sections in a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ kafak: {} }));
    expect(configError({ env: {}, file }).message).toContain('kafak');
  });

  it('never shows secrets, not even in errors', () => {
    const c = loadConfig({
      env: {
        RISK_KAFKA_SASL_MECHANISM: 'plain',
        RISK_KAFKA_SASL_USERNAME: 'u',
        RISK_KAFKA_SASL_PASSWORD: 'hunter2',
      },
    });
    expect(JSON.stringify(redact(c))).not.toContain('hunter2');
    const err = configError({ env: { RISK_INFLUX_TOKEN: '', RISK_INFLUX_ENABLED: 'true' } });
    expect(err.message).not.toContain('hunter2');
  });
});
