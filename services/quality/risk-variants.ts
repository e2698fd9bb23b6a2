/**
 * Compares risk-model variants on the VALIDATION period only (never the test period the quality
 * report evaluates on): each variant is trained on the same data and split as `make train`, and
 * scored on the training tickers' validation samples and on the held-out tickers' samples of the
 * same validation dates (the transfer check). Used to pick the defaults of `risk-monitor train`;
 * the numbers go into services/quality/quality-notes.md.
 *
 *   npx tsx services/quality/risk-variants.ts [variant ...] > .run/quality/risk-variants.json
 *
 * Progress goes to stderr as JSON lines.
 */
import { join } from 'node:path';
import { averagePrecision, rocAuc } from '../models/evaluation/ranking-metrics.js';
import { type MarketScalingMode, marketDivideBy } from '../models/risk/market-scaling.js';
import { buildRiskDataset } from '../models/risk/risk-dataset.js';
import { predictRiskSplit } from '../models/risk/risk-evaluation.js';
import { DEFAULT_RISK_LABEL_PARAMS } from '../models/risk/risk-labels.js';
import { type RiskTrainingOptions, trainRiskModel } from '../models/risk/risk-training.js';
import { selectTfBackend } from '../models/runtime/tf-backend.js';
import { loadTrainingData } from '../models/training-data.js';
import { PACKAGE_ROOT } from '../shared/project-paths.js';

interface Variant {
  marketScaling: MarketScalingMode;
  training: Partial<RiskTrainingOptions>;
  /**
   * Zero the macro and sentiment inputs in every split (a scaled 0 is the train mean): tests
   * whether the context vectors, which change rarely and can fingerprint a period, help at all.
   */
  withoutContext?: boolean;
}

const VARIANTS: Record<string, Variant> = {
  raw: { marketScaling: 'raw', training: {} },
  'vol-relative': { marketScaling: 'vol-relative', training: {} },
  'vol-relative-ctx0.8': { marketScaling: 'vol-relative', training: { contextDropout: 0.8 } },
  'no-context': { marketScaling: 'raw', training: {}, withoutContext: true },
  'vol-relative-no-context': { marketScaling: 'vol-relative', training: {}, withoutContext: true },
  'vol-relative-lstm16': { marketScaling: 'vol-relative', training: { lstmUnits: 16, denseUnits: 16 } },
};

const HOLDOUT = ['AMZN', 'BAC', 'CVX', 'KO', 'PFE', 'WMT'];
const log = (o: object) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...o })}\n`);

async function main(): Promise<void> {
  const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(VARIANTS);
  for (const n of names)
    if (!VARIANTS[n])
      throw new Error(`unknown variant ${n}: expected one of ${Object.keys(VARIANTS).join(', ')}`);
  const backend = await selectTfBackend('auto');
  const data = join(PACKAGE_ROOT, 'services/demo/data');
  const started = Date.now();
  const training = await loadTrainingData({
    pricesDir: join(data, 'market/daily'),
    macroDir: join(data, 'macro'),
    newsFiles: [
      join(data, 'news/twitter-financial-news-train.csv'),
      join(data, 'news/twitter-financial-news-valid.csv'),
    ],
  });
  log({ kind: 'data', seconds: (Date.now() - started) / 1000, symbols: training.series.length });
  const results: Record<string, unknown> = {};
  for (const name of names) {
    const variant = VARIANTS[name] as Variant;
    const t0 = Date.now();
    const dataset = buildRiskDataset(training.series, {
      seqLen: 32,
      labels: DEFAULT_RISK_LABEL_PARAMS,
      features: training.features,
      split: { trainFraction: 0.7, validationFraction: 0.15 },
      holdoutSymbols: HOLDOUT,
      marketDivideBy: marketDivideBy(variant.marketScaling, training.features.market),
    });
    if (variant.withoutContext) {
      for (const split of [dataset.train, dataset.validation, dataset.test, dataset.holdout]) {
        split.macro.fill(0);
        split.sentiment.fill(0);
      }
    }
    const trained = await trainRiskModel(dataset, { seed: 42, ...variant.training }, (p) => {
      if (p.kind === 'epoch') log({ ...p, variant: name });
    });
    const holdout = predictRiskSplit(trained.model, dataset.holdout);
    const inValidation = dataset.holdout.barTimes.map((t) => t < dataset.boundaries.testStart);
    const pick = (a: Float32Array) => Float32Array.from(a.filter((_, i) => inValidation[i]));
    const hScores = pick(holdout.event);
    const hLabels = pick(dataset.holdout.event);
    const v = trained.evaluation.validation;
    results[name] = {
      variant,
      epochsRun: trained.epochsRun,
      bestEpoch: trained.bestEpoch,
      seconds: (Date.now() - t0) / 1000,
      validation: {
        samples: v.samples,
        positives: v.positives,
        rocAuc: v.rocAuc,
        prAuc: v.prAuc,
        brier: v.brier,
        q01Coverage: v.q01Coverage,
        q05Coverage: v.q05Coverage,
      },
      holdoutValidationPeriod: {
        samples: hScores.length,
        positives: hLabels.reduce((a, b) => a + b, 0),
        rocAuc: rocAuc(hScores, hLabels),
        prAuc: averagePrecision(hScores, hLabels),
      },
    };
    log({ ...(results[name] as object), kind: 'variant', name });
    trained.model.dispose();
  }
  process.stdout.write(
    `${JSON.stringify({ backend, boundaries: 'trainFraction 0.7, validationFraction 0.15 (as make train)', results }, null, 2)}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
