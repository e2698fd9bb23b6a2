import { describe, expect, it } from 'vitest';
import {
  type GanQualityJson,
  ganQualitySchema,
  renderGanSection,
} from '../../../services/quality/gan-quality-doc.js';

const facts = (kurtosis: number, acf1: number, passed: boolean) => ({
  samples: 1000,
  excessKurtosis: kurtosis,
  maxAbsReturnAcf: 0.05,
  absReturnAcf: [acf1, 0.1, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, -0.01],
  passed,
});

const gan: GanQualityJson = {
  generatedAt: '2024-01-02T03:04:05.000Z',
  command: 'tsx services/quality/gan-quality.ts --prices p --macro m --steps 400 --seed 42',
  backend: 'wasm',
  symbols: ['AAA', 'BBB'],
  seqLen: 32,
  trainWindows: 5000,
  trainPositives: 250,
  validationWindows: 1100,
  validationPeriod: ['2016-03-04T00:00:00.000Z', '2016-12-03T00:00:00.000Z'],
  steps: 400,
  seconds: 123.4,
  seed: 42,
  settings: { batchSize: 64, units: 32, noiseDim: 4, context: 12, burnIn: 32, factPaths: 64, factBars: 250 },
  columns: [
    { feature: 'logReturn', role: 'garch' },
    { feature: 'ewmaVol', role: 'ewma' },
    { feature: 'volumeZ', role: 'free', smoothing: 0.4 },
  ],
  garch: [
    { label: 0, omega: 0.05, alpha: 0.1, beta: 0.85 },
    { label: 1, omega: 0.08, alpha: 0.12, beta: 0.8 },
  ],
  realFacts: facts(5.49, 0.168, true),
  realValidationFacts: null,
  generatedFacts: facts(1.5, 0.2, false),
  discriminative: { accuracy: 0.91, auc: 0.95, heldOut: 550, byFeature: { logReturn: 0.6, ewmaVol: 0.88 } },
  tstr: { tstrAuc: 0.61, trtrAuc: null },
  verdict: {
    passed: false,
    reasons: ['discriminative accuracy 0.910 > 0.8 (real and synthetic are told apart)'],
  },
};

describe('GAN section of docs/quality.md', () => {
  it('parses what gan-quality.ts writes and renders every figure from it', () => {
    const parsed = ganQualitySchema.parse(JSON.parse(JSON.stringify(gan)));
    const text = renderGanSection(parsed).join('\n');
    expect(text).toContain('## GAN augmentation');
    expect(text).toContain('400 steps');
    expect(text).toContain('**123 s**');
    expect(text).toMatch(
      /\| real, train period \| 1000 \| 5\.490 \| 0\.050 \| 0\.168 \| 0\.100 \| 0\.090 \| 0\.070 \| -0\.010 \| yes \|/,
    );
    expect(text).toMatch(/\| real, validation period \| n\/a \|/);
    expect(text).toMatch(/\| GAN \(64 paths x 250 bars\) \| 1000 \| 1\.500 \|/);
    expect(text).toMatch(/discriminative accuracy .*\| 0\.910 \|/);
    expect(text).toMatch(/TSTR ROC-AUC .*\| 0\.610 \| TRTR \(fitted on real train\) n\/a \|/);
    expect(text).toContain('label 1: omega 0.080, alpha 0.120, beta 0.800 (persistence 0.920)');
    expect(text).toContain('logReturn (garch) 0.600, ewmaVol (ewma) 0.880');
    expect(text).toContain('volumeZ (free, smoothing 0.400)');
    expect(text).toContain(
      '**Verdict: fails (the cycle does not use it).** discriminative accuracy 0.910 > 0.8',
    );
    expect(text).toContain(`    ${gan.command}`);
  });

  it('refuses a file that is not what the script writes', () => {
    expect(ganQualitySchema.safeParse({ ...gan, steps: 'many' }).success).toBe(false);
  });
});
