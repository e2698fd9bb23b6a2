import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../services/shared/config/config-error.js';
import { configSchema } from '../../../services/shared/config/config-schema.js';
import { envLeaves } from '../../../services/shared/config/env-mapping.js';
import { loadConfig } from '../../../services/shared/config/load-config.js';

describe('retrainer config section', () => {
  it('has defaults and a RISK_RETRAINER_* variable per field', () => {
    const c = loadConfig({ env: {} }).retrainer;
    expect(c).toMatchObject({ intervalMs: 86_400_000, psiWarn: 0.1, psiRetrain: 0.25, freezeLstm: false });
    const vars = envLeaves(configSchema).map((l) => l.env);
    expect(vars).toEqual(
      expect.arrayContaining([
        'RISK_RETRAINER_INTERVAL_MS',
        'RISK_RETRAINER_PSI_RETRAIN',
        'RISK_RETRAINER_FREEZE_LSTM',
      ]),
    );
    const fromEnv = loadConfig({
      env: {
        RISK_RETRAINER_PSI_RETRAIN: '0.3',
        RISK_RETRAINER_FREEZE_LSTM: 'true',
        RISK_RETRAINER_EPOCHS: '2',
      },
    }).retrainer;
    expect(fromEnv).toMatchObject({ psiRetrain: 0.3, freezeLstm: true, epochs: 2 });
  });

  it('refuses a warn level above the retrain level, naming the field', () => {
    let err: unknown;
    try {
      loadConfig({ env: { RISK_RETRAINER_PSI_WARN: '0.5' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('retrainer.psiWarn');
    expect((err as Error).message).toContain('psiWarn must be <= psiRetrain');
  });

  it('refuses a bad cron expression at load, naming the field', () => {
    expect(() => loadConfig({ env: { RISK_RETRAINER_CRON: '0 25 * * *' } })).toThrow(
      /retrainer\.cron.*expected a cron expression/,
    );
    expect(loadConfig({ env: { RISK_RETRAINER_CRON: '0 3 * * 1-5' } }).retrainer).toMatchObject({
      cron: '0 3 * * 1-5',
      cronTimezone: 'UTC',
    });
  });
});
