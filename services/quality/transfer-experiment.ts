import type { BundleMetadata } from '../models/bundle/bundle-schemas.js';
import type { CodeVersion } from '../models/bundle/code-version.js';
import { championSettings } from '../models/risk/champion-settings.js';
import { loadRiskBundle, riskBundleMetadata } from '../models/risk/risk-bundle.js';
import type { RiskCalibration } from '../models/risk/risk-calibration.js';
import { buildRiskDataset, type RiskDataset } from '../models/risk/risk-dataset.js';
import {
  DEFAULT_RISK_TRAINING_OPTIONS,
  type RiskTrainingOptions,
  trainRiskModel,
} from '../models/risk/risk-training.js';
import { TfjsRiskRuntime } from '../models/runtime/tfjs-risk-runtime.js';
import type { ProgressCallback } from '../models/training/training-progress.js';
import type { ScalerParams } from '../shared/contracts/scaler.js';
import type { JoinedBar } from '../shared/contracts/sequence-batch.js';
import { type EvaluationProgress, evaluateRisk, type RiskQualityReport } from './evaluate-risk.js';

export type TransferArm = 'champion' | 'fine-tuned' | 'from-scratch';

export interface TransferOptions {
  /** Tickers held out of the champion's training; default its metadata.data.holdoutSymbols. */
  symbols?: readonly string[];
  /** Bars of each ticker before the champion's testStart that the challengers may learn from. */
  historyBars: number;
  /** Share of those bar times (the latest) used for early stopping. */
  validationFraction: number;
  /** The same budget for both arms. */
  epochs: number;
  patience: number;
  batchSize: number;
  /** One run of each trained arm per seed. */
  seeds: readonly number[];
  /** Fine-tuning from the champion (the retrainer's default, a tenth of training from scratch). */
  fineTuneLearningRate: number;
  scratchLearningRate: number;
  forestSeed: number;
  onProgress?: (event: EvaluationProgress | { kind: 'arm'; arm: TransferArm; seed: number | null }) => void;
  trainingProgress?: ProgressCallback;
  now?: () => Date;
  code?: () => CodeVersion;
}

export const DEFAULT_TRANSFER_OPTIONS: Omit<TransferOptions, 'forestSeed'> = {
  historyBars: 250,
  validationFraction: 0.2,
  epochs: 10,
  patience: 3,
  batchSize: 64,
  seeds: [42, 43, 44],
  fineTuneLearningRate: 1e-4,
  scratchLearningRate: DEFAULT_RISK_TRAINING_OPTIONS.learningRate,
};

export interface TransferRun {
  arm: TransferArm;
  seed: number | null;
  epochsRun: number;
  bestEpoch: number;
  trainingSeconds: number;
  report: RiskQualityReport;
}

/** What `evaluate transfer --json` writes (docs/quality.md's transfer section reads it). */
export interface TransferReport {
  champion: { version: string; trainedSymbols: string[]; heldOutSymbols: string[] };
  symbols: string[];
  history: {
    bars: number;
    from: string;
    validationStart: string;
    testStart: string;
    trainSamples: number;
    validationSamples: number;
  };
  budget: {
    epochs: number;
    patience: number;
    batchSize: number;
    fineTuneLearningRate: number;
    scratchLearningRate: number;
  };
  seeds: number[];
  runs: TransferRun[];
  seconds: number;
}

/**
 * Transfer learning on tickers with a short history (seed 001): for tickers the champion never
 * saw, only their last `historyBars` bars before the champion's test start may be learned from.
 * (a) fine-tunes the champion on them (warm start, its architecture and regularisation, a low
 * learning rate), (b) trains the same architecture from scratch (its own scaler, the usual
 * learning rate) with the same epochs, patience, batch size and data, and both, with the champion
 * as it is, are evaluated by the walk-forward evaluator on the tickers' bars from the test start
 * on. The baselines are fitted on the same short history (the evaluator fits them on the bars it
 * is given before the cutoff), so every scorer has the same data. Early stopping uses the
 * validation part of the short history; nothing is chosen on the evaluated period.
 */
export async function runTransferExperiment(
  bars: ReadonlyMap<string, readonly JoinedBar[]>,
  championDir: string,
  options: TransferOptions,
): Promise<TransferReport> {
  const started = Date.now();
  const champion = await loadRiskBundle(championDir, null);
  const meta = champion.metadata;
  champion.model.dispose();
  const testStart = Date.parse(meta.data.boundaries.testStart ?? '');
  if (!Number.isFinite(testStart)) {
    throw new RangeError(`champion ${meta.version} has no data.boundaries.testStart to evaluate from`);
  }
  const symbols = [...(options.symbols ?? meta.data.holdoutSymbols)].filter((s) => bars.has(s)).sort();
  if (symbols.length === 0) {
    throw new RangeError(
      `none of the tickers (${(options.symbols ?? meta.data.holdoutSymbols).join(', ') || 'none'}) is in the data`,
    );
  }
  const seen = symbols.filter((s) => meta.data.symbols.includes(s));
  if (seen.length > 0) {
    throw new RangeError(`${seen.join(', ')} were in the champion's training: not a transfer test`);
  }

  // Each ticker: L - 1 bars of context, `historyBars` bars to learn from, then the evaluated period.
  const L = meta.seqLen;
  const short = new Map<string, JoinedBar[]>();
  let historyFrom = Number.POSITIVE_INFINITY;
  for (const s of symbols) {
    const list = bars.get(s) as readonly JoinedBar[];
    const firstTest = list.findIndex((b) => b.bar.barEnd >= testStart);
    const end = firstTest < 0 ? list.length : firstTest;
    const first = Math.max(0, end - options.historyBars);
    historyFrom = Math.min(historyFrom, (list[first] as JoinedBar).bar.barEnd);
    short.set(s, list.slice(Math.max(0, first - (L - 1))));
  }
  const historyTimes = [...new Set([...short.values()].flat().map((b) => b.bar.barEnd))]
    .filter((t) => t >= historyFrom && t < testStart)
    .sort((a, b) => a - b);
  const validationStart = historyTimes[
    Math.floor(historyTimes.length * (1 - options.validationFraction))
  ] as number;
  const series = symbols.map((symbol) => ({ symbol, bars: short.get(symbol) as JoinedBar[] }));
  const datasetFor = (scaler: ScalerParams | undefined): RiskDataset =>
    buildRiskDataset(series, {
      seqLen: L,
      labels: { horizon: meta.label.horizon as number, k: meta.label.k as number },
      features: champion.features,
      split: { validationStart, testStart },
      ...(scaler ? { scaler } : {}),
    });

  const runs: TransferRun[] = [];
  const evaluate = async (
    arm: TransferArm,
    seed: number | null,
    model: TfjsRiskRuntime,
    bundle: { metadata: BundleMetadata; scaler: ScalerParams; calibration: RiskCalibration },
    trained: { epochsRun: number; bestEpoch: number; seconds: number },
  ) => {
    try {
      const { report } = await evaluateRisk(
        short,
        { ...bundle, runtime: model },
        {
          forest: { seed: options.forestSeed },
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        },
      );
      runs.push({
        arm,
        seed,
        epochsRun: trained.epochsRun,
        bestEpoch: trained.bestEpoch,
        trainingSeconds: trained.seconds,
        report,
      });
    } finally {
      model.dispose();
    }
  };

  options.onProgress?.({ kind: 'arm', arm: 'champion', seed: null });
  const zeroShot = await loadRiskBundle(championDir, null);
  await evaluate(
    'champion',
    null,
    new TfjsRiskRuntime(zeroShot.model, meta.version, L, zeroShot.features),
    zeroShot,
    { epochsRun: 0, bestEpoch: 0, seconds: 0 },
  );

  const fineTuneData = datasetFor(champion.scaler);
  const scratchData = datasetFor(undefined);
  const now = options.now ?? (() => new Date());
  const code = options.code ?? (() => ({ packageVersion: '0', gitCommit: null }));
  const budget = { epochs: options.epochs, patience: options.patience, batchSize: options.batchSize };
  const settings = championSettings(meta);
  for (const seed of options.seeds) {
    for (const arm of ['fine-tuned', 'from-scratch'] as const) {
      options.onProgress?.({ kind: 'arm', arm, seed });
      const dataset = arm === 'fine-tuned' ? fineTuneData : scratchData;
      const start = Date.now();
      // Same architecture, regularisation and budget; the warm start and its learning rate differ.
      const overrides: Partial<RiskTrainingOptions> =
        arm === 'fine-tuned'
          ? {
              ...settings,
              ...budget,
              seed,
              learningRate: options.fineTuneLearningRate,
              warmStart: { model: (await loadRiskBundle(championDir, null)).model },
            }
          : { ...settings, ...budget, seed, learningRate: options.scratchLearningRate };
      const trained = await trainRiskModel(dataset, overrides, options.trainingProgress);
      const seconds = (Date.now() - start) / 1000;
      const version = `transfer-${arm}-${seed}`;
      const metadata = riskBundleMetadata(trained, dataset, version, now(), code());
      await evaluate(
        arm,
        seed,
        new TfjsRiskRuntime(trained.model, version, L, champion.features),
        { metadata, scaler: dataset.scaler, calibration: trained.calibration },
        { epochsRun: trained.epochsRun, bestEpoch: trained.bestEpoch, seconds },
      );
    }
  }
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  return {
    champion: {
      version: meta.version,
      trainedSymbols: meta.data.symbols,
      heldOutSymbols: meta.data.holdoutSymbols,
    },
    symbols,
    history: {
      bars: options.historyBars,
      from: iso(historyFrom),
      validationStart: iso(validationStart),
      testStart: iso(testStart),
      trainSamples: fineTuneData.train.size,
      validationSamples: fineTuneData.validation.size,
    },
    budget: {
      ...budget,
      fineTuneLearningRate: options.fineTuneLearningRate,
      scratchLearningRate: options.scratchLearningRate,
    },
    seeds: [...options.seeds],
    runs,
    seconds: (Date.now() - started) / 1000,
  };
}
