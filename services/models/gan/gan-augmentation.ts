import type { RiskDataset, RiskSplit, SymbolSeries } from '../risk/risk-dataset.js';
import { SeededRandom } from '../training/seeded-random.js';
import type { ProgressCallback } from '../training/training-progress.js';
import { generateSequences } from './gan-sampling.js';
import {
  type GanTrainingOptions,
  type GanWindows,
  type TrainedGan,
  trainGan,
  windowsOf,
} from './gan-training.js';
import { DEFAULT_STYLIZED_FACT_OPTIONS, type StylizedFacts, stylizedFacts } from './stylized-facts.js';
import {
  type DiscriminativeScore,
  discriminativeScore,
  judgeSyntheticQuality,
  type QualityThresholds,
  type QualityVerdict,
  type TstrScore,
  trainOnSyntheticTestOnReal,
} from './synthetic-quality.js';

export interface AugmentationSettings {
  gan: Partial<GanTrainingOptions> & Pick<GanTrainingOptions, 'noiseDim' | 'context'>;
  /** Synthetic positive (risk-event) windows added per real positive training window. */
  syntheticRatio: number;
  /** Generated paths, and bars per path, whose returns the stylized facts are measured on. */
  factPaths: number;
  factBars: number;
  thresholds: QualityThresholds;
  seed: number;
}

export interface AugmentationQuality {
  /** Stylized facts of the real training-period returns and of generated paths' returns. */
  realFacts: StylizedFacts | null;
  generatedFacts: StylizedFacts | null;
  discriminative: DiscriminativeScore;
  tstr: TstrScore;
  verdict: QualityVerdict;
  ganSeconds: number;
  ganSteps: number;
}

export interface Augmentation {
  quality: AugmentationQuality;
  /** The train split with synthetic positive windows appended; null when the quality check failed. */
  train: RiskSplit | null;
  syntheticSamples: number;
}

/**
 * Trains the conditional GAN on the train split's market windows, judges what it generates against
 * the validation split (never seen by the GAN) and, when the judgement passes, appends synthetic
 * positive windows to a copy of the train split. A synthetic window replaces only the market
 * sequence: its macro and sentiment vectors and its vol / H-bar return targets come from a random
 * real positive training sample (the donor), since the GAN does not model them.
 */
export async function augmentWithGan(
  dataset: RiskDataset,
  series: readonly SymbolSeries[],
  settings: AugmentationSettings,
  progress?: ProgressCallback,
): Promise<Augmentation> {
  const gan = await trainGan(
    windowsOf(dataset.train, dataset.scaler.market),
    { ...settings.gan, seed: settings.seed },
    progress,
  );
  try {
    const quality = judgeGan(gan, dataset, series, settings);
    if (!quality.verdict.passed) return { quality, train: null, syntheticSamples: 0 };
    const train = appendSynthetic(gan, dataset, settings);
    return { quality, train, syntheticSamples: train.size - dataset.train.size };
  } finally {
    gan.generator.dispose();
  }
}

/**
 * The quality checks of a trained GAN: stylized facts of generated paths against the real
 * train-period returns, the discriminative score against the real validation windows (synthetic
 * windows with the same labels, clipped to the scaler's +-clip as real windows are) and TSTR on
 * the validation windows. Never reads the test period.
 */
export function judgeGan(
  gan: TrainedGan,
  dataset: RiskDataset,
  series: readonly SymbolSeries[],
  settings: AugmentationSettings,
): AugmentationQuality {
  const { train, validation } = dataset;
  const clip = dataset.scaler.clip;
  const sample = (labels: ArrayLike<number>, length: number, seed: number) =>
    generateSequences(gan.generator, {
      count: labels.length,
      length,
      labels,
      seed,
    });
  // Real windows are clipped by the scaler; unclipped synthetic ones would differ by that alone.
  const clipped = (w: Float32Array) => w.map((v) => Math.max(-clip, Math.min(clip, v)));
  const rng = new SeededRandom(settings.seed + 1);
  let positives = 0;
  for (const e of train.event) positives += e;
  const baseRate = positives / train.size;

  const ret = returnScaling(dataset);
  let realFacts: StylizedFacts | null = null;
  let generatedFacts: StylizedFacts | null = null;
  if (ret !== null) {
    const before = dataset.boundaries.validationStart;
    realFacts = stylizedFacts(
      series.map((s) => s.bars.filter((b) => b.bar.barEnd < before).map((b) => b.bar.logReturn)),
      DEFAULT_STYLIZED_FACT_OPTIONS,
    );
    const labels = Array.from({ length: settings.factPaths }, () => (rng.next() < baseRate ? 1 : 0));
    const paths = sample(labels, settings.factBars, settings.seed + 2);
    generatedFacts = stylizedFacts(
      pathReturns(paths, settings.factPaths, settings.factBars, train.marketWidth, ret),
    );
  }

  const realValidation = windowsOf(validation);
  const mirrored = toWindows(
    clipped(sample(validation.event, train.seqLen, settings.seed + 3)),
    validation.event,
    train,
  );
  const discriminative = discriminativeScore(realValidation, mirrored);
  const tstrCount = Math.max(200, Math.min(2000, train.size));
  const balanced = Float32Array.from({ length: tstrCount }, (_, i) => i % 2);
  const tstr = trainOnSyntheticTestOnReal(
    toWindows(clipped(sample(balanced, train.seqLen, settings.seed + 4)), balanced, train),
    windowsOf(train),
    realValidation,
  );
  const verdict = judgeSyntheticQuality({ generatedFacts, discriminative, tstr }, settings.thresholds);
  return {
    realFacts,
    generatedFacts,
    discriminative,
    tstr,
    verdict,
    ganSeconds: gan.seconds,
    ganSteps: gan.history.at(-1)?.step ?? 0,
  };
}

function appendSynthetic(gan: TrainedGan, dataset: RiskDataset, settings: AugmentationSettings): RiskSplit {
  const { train } = dataset;
  const donors: number[] = [];
  for (let i = 0; i < train.size; i++) if ((train.event[i] as number) > 0.5) donors.push(i);
  const count = Math.round(settings.syntheticRatio * donors.length);
  if (count === 0) return train;
  const windows = generateSequences(gan.generator, {
    count,
    length: train.seqLen,
    labels: new Float32Array(count).fill(1),
    seed: settings.seed + 5,
  });
  const clip = dataset.scaler.clip;
  for (let i = 0; i < windows.length; i++) windows[i] = Math.max(-clip, Math.min(clip, windows[i] as number));
  const rng = new SeededRandom(settings.seed + 6);
  const picks = Array.from({ length: count }, () => donors[rng.nextInt(donors.length)] as number);
  return appendSamples(train, windows, picks);
}

/** A copy of `split` with `market` windows appended, every other field copied from the donor samples. */
export function appendSamples(split: RiskSplit, market: Float32Array, donors: readonly number[]): RiskSplit {
  const n = split.size + donors.length;
  const { macroWidth: m, sentimentWidth: s } = split;
  const perWindow = split.seqLen * split.marketWidth;
  if (market.length !== donors.length * perWindow) {
    throw new RangeError(
      `appendSamples: ${market.length} market values for ${donors.length} windows of ${perWindow}`,
    );
  }
  const fromDonors = (a: Float32Array, per: number) => {
    const out = new Float32Array(n * per);
    out.set(a);
    donors.forEach((d, i) => {
      out.set(a.subarray(d * per, (d + 1) * per), (split.size + i) * per);
    });
    return out;
  };
  const withMarket = new Float32Array(n * perWindow);
  withMarket.set(split.market);
  withMarket.set(market, split.size * perWindow);
  return {
    ...split,
    size: n,
    market: withMarket,
    macro: fromDonors(split.macro, m),
    sentiment: fromDonors(split.sentiment, s),
    event: fromDonors(split.event, 1),
    vol: fromDonors(split.vol, 1),
    horizonReturn: fromDonors(split.horizonReturn, 1),
    sigma: fromDonors(split.sigma, 1),
    symbols: [...split.symbols, ...donors.map((d) => split.symbols[d] as string)],
    barTimes: [...split.barTimes, ...donors.map((d) => split.barTimes[d] as number)],
  };
}

/** Index, mean and std of logReturn in the scaled market features, or null without it. */
export function returnScaling(
  dataset: Pick<RiskDataset, 'scaler'>,
): { index: number; mean: number; std: number } | null {
  const { names, mean, std } = dataset.scaler.market;
  const index = names.indexOf('logReturn');
  if (index < 0) return null;
  const sd = std[index] as number;
  return { index, mean: mean[index] as number, std: sd > 1e-12 ? sd : 1 };
}

/** The unscaled logReturn column of generated paths, one array per path. */
export function pathReturns(
  paths: Float32Array,
  count: number,
  length: number,
  width: number,
  ret: { index: number; mean: number; std: number },
): Float64Array[] {
  return Array.from({ length: count }, (_, p) =>
    Float64Array.from(
      { length },
      (_, t) => (paths[(p * length + t) * width + ret.index] as number) * ret.std + ret.mean,
    ),
  );
}

function toWindows(windows: Float32Array, labels: ArrayLike<number>, like: RiskSplit): GanWindows {
  return {
    size: labels.length,
    seqLen: like.seqLen,
    width: like.marketWidth,
    windows,
    labels: Float32Array.from(labels),
  };
}
