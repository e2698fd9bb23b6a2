import { generateSequences } from '../models/gan/gan-sampling.js';
import { type GanTrainingOptions, trainGan, windowsOf } from '../models/gan/gan-training.js';
import { buildRiskDataset, type RiskFeatureNames, type SymbolSeries } from '../models/risk/risk-dataset.js';
import { DEFAULT_RISK_LABEL_PARAMS } from '../models/risk/risk-labels.js';
import type { ProgressCallback } from '../models/training/training-progress.js';
import type { MarketTick } from '../shared/contracts/records.js';
import { stressTicks } from './stress-ticks.js';

export interface StressScenarioOptions {
  /** Symbols to simulate (any names: the paths are synthetic). */
  symbols: readonly string[];
  /** Bars per symbol. */
  bars: number;
  /** L of the windows the GAN learns from (the risk model's seqLen). */
  seqLen: number;
  gan: Partial<GanTrainingOptions> & Pick<GanTrainingOptions, 'noiseDim' | 'context'>;
  seed: number;
  startDay: number;
}

export interface StressScenario {
  ticks: MarketTick[];
  gan: { steps: number; seconds: number; trainWindows: number; positiveWindows: number };
}

/**
 * The stress scenario: the conditional GAN of the retrainer's augmentation, trained here on the
 * given history (the real bars' windows, labelled with the risk-event label), generates one path
 * per symbol conditioned on label 1 at every bar, the condition of the windows that preceded a
 * risk event, and the paths become daily ticks. Deterministic for a seed on one backend.
 */
export async function stressScenario(
  history: { series: readonly SymbolSeries[]; features: RiskFeatureNames },
  options: StressScenarioOptions,
  progress?: ProgressCallback,
): Promise<StressScenario> {
  const dataset = buildRiskDataset(history.series, {
    seqLen: options.seqLen,
    labels: DEFAULT_RISK_LABEL_PARAMS,
    features: history.features,
    split: { trainFraction: 0.8, validationFraction: 0.1 },
  });
  const gan = await trainGan(
    windowsOf(dataset.train, dataset.scaler.market),
    { ...options.gan, seed: options.seed },
    progress,
  );
  try {
    const n = options.symbols.length;
    const paths = generateSequences(gan.generator, {
      count: n,
      length: options.bars,
      labels: new Float32Array(n).fill(1),
      seed: options.seed + 1,
    });
    const clip = dataset.scaler.clip;
    for (let i = 0; i < paths.length; i++) paths[i] = Math.max(-clip, Math.min(clip, paths[i] as number));
    let positives = 0;
    for (const e of dataset.train.event) positives += e;
    return {
      ticks: stressTicks(paths, options.symbols, options.bars, dataset.scaler.market, {
        startDay: options.startDay,
        startPrice: 100,
        baseVolume: 1_000_000,
      }),
      gan: {
        steps: gan.history.at(-1)?.step ?? 0,
        seconds: gan.seconds,
        trainWindows: dataset.train.size,
        positiveWindows: positives,
      },
    };
  } finally {
    gan.generator.dispose();
  }
}
