import { describe, expect, it } from 'vitest';
import { variantOptions } from '../../../services/retrainer/cycle-request.js';
import { ConfigError } from '../../../services/shared/config/config-error.js';
import { loadConfig } from '../../../services/shared/config/load-config.js';

describe('retrainer config: augmentation and feature selection', () => {
  it('is off by default and maps RISK_RETRAINER_* onto the cycle options', () => {
    expect(variantOptions(loadConfig({ env: {} }).retrainer)).toMatchObject({
      featureSelection: { mode: 'off' },
      augmentation: { mode: 'off' },
    });
    const v = variantOptions(
      loadConfig({
        env: {
          RISK_RETRAINER_AUGMENTATION: 'auto',
          RISK_RETRAINER_GAN_STEPS: '5',
          RISK_RETRAINER_GAN_MIN_TSTR_AUC: '0.6',
          RISK_RETRAINER_FEATURE_SELECTION: 'auto',
          RISK_RETRAINER_SELECTION_CANDIDATES: '2',
        },
      }).retrainer,
    );
    expect(v.augmentation).toMatchObject({
      mode: 'auto',
      settings: { gan: { steps: 5, noiseDim: 4, context: 12 }, thresholds: { minTstrAuc: 0.6 } },
    });
    expect(v.featureSelection).toMatchObject({ mode: 'auto', candidates: 2, neighbours: 3 });
  });

  it('refuses an unknown mode, naming the field', () => {
    expect(() => loadConfig({ env: { RISK_RETRAINER_AUGMENTATION: 'on' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { RISK_RETRAINER_AUGMENTATION: 'on' } })).toThrow(
      /retrainer\.augmentation/,
    );
    expect(() => loadConfig({ env: { RISK_RETRAINER_GAN_MAX_DISCRIMINATIVE_ACCURACY: '0.3' } })).toThrow(
      /retrainer\.ganMaxDiscriminativeAccuracy/,
    );
  });
});
