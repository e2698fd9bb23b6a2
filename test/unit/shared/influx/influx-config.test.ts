import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../services/shared/config/config-error.js';
import { loadConfig } from '../../../../services/shared/config/load-config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ env });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('influx config', () => {
  it('reads a 1.x target from the environment', () => {
    const c = loadConfig({
      env: {
        RISK_INFLUX_ENABLED: 'true',
        RISK_INFLUX_API_VERSION: '1',
        RISK_INFLUX_URL: 'http://127.0.0.1:8086',
        RISK_INFLUX_DATABASE: 'risk',
        RISK_INFLUX_RETENTION_POLICY: 'autogen',
        RISK_INFLUX_CLOSE_TIMEOUT_MS: '2000',
      },
    }).influx;
    expect(c).toMatchObject({
      apiVersion: '1',
      database: 'risk',
      retentionPolicy: 'autogen',
      closeTimeoutMs: 2000,
    });
  });

  it('names what is missing or inconsistent', () => {
    expect(problems({ RISK_INFLUX_ENABLED: 'true', RISK_INFLUX_API_VERSION: '2' })).toEqual([
      expect.stringContaining('influx.token (env RISK_INFLUX_TOKEN): required when apiVersion is 2'),
      expect.stringContaining('influx.org'),
      expect.stringContaining('influx.bucket'),
    ]);
    expect(problems({ RISK_INFLUX_PASSWORD: 'x' })).toEqual([
      expect.stringContaining('influx.username (env RISK_INFLUX_USERNAME): required when password is set'),
    ]);
    expect(problems({ RISK_INFLUX_RETRY_BASE_MS: '500', RISK_INFLUX_RETRY_MAX_MS: '100' })).toEqual([
      expect.stringContaining(
        'influx.retryMaxMs (from RISK_INFLUX_RETRY_MAX_MS): must be at least retryBaseMs (500); got 100',
      ),
    ]);
  });
});
