import type { MarketBar } from '../../shared/contracts/records.js';
import type { ScalerParams } from '../../shared/contracts/scaler.js';
import { scaleInto } from '../../shared/contracts/scaler.js';
import type { JoinedBar } from '../../shared/contracts/sequence-batch.js';
import { describeDistribution, type FeatureDistribution } from '../bundle/feature-distribution.js';
import { fitFeatureScaling, fitMarketScaling } from '../training/fit-scaler.js';
import { type RiskLabelParams, riskLabels } from './risk-labels.js';

/** One symbol's joined bars, oldest first (consecutive bars of one bar size). */
export interface SymbolSeries {
  symbol: string;
  bars: readonly JoinedBar[];
}

export interface RiskFeatureNames {
  market: readonly string[];
  macro: readonly string[];
  sentiment: readonly string[];
}

/**
 * Split by time of the sample's bar (barEnd): train before validationStart, validation before
 * testStart, test after. Either absolute times or fractions of the distinct bar times.
 */
export type SplitSpec =
  | { validationStart: number; testStart: number }
  | { trainFraction: number; validationFraction: number };

export interface RiskDatasetOptions {
  /** L: bars per input sequence. */
  seqLen: number;
  labels: RiskLabelParams;
  features: RiskFeatureNames;
  split: SplitSpec;
  /** Symbols kept out of training entirely; their later samples form the holdout split. */
  holdoutSymbols?: readonly string[];
  /** Scaled values are clipped to +-clip. */
  clip?: number;
  /**
   * Scale with these parameters instead of fitting them on the train split: fine-tuning keeps the
   * champion's scaler, which the model was trained with and the anomaly model shares.
   */
  scaler?: ScalerParams;
  /**
   * Per market feature, the feature to divide it by before scaling (see FeatureScaling.divideBy),
   * e.g. from marketDivideBy('vol-relative', ...). Ignored when `scaler` is given: fine-tuning
   * keeps the champion's inputs as they were.
   */
  marketDivideBy?: readonly (string | null)[];
}

/** One split's samples, row-major Float32Arrays like a SequenceBatch, plus labels. */
export interface RiskSplit {
  size: number;
  seqLen: number;
  marketWidth: number;
  macroWidth: number;
  sentimentWidth: number;
  /** [N, L, F], [N, M], [N, S], scaled with the dataset's scaler. */
  market: Float32Array;
  macro: Float32Array;
  sentiment: Float32Array;
  /** Labels [N]: event 0/1, realized vol, H-bar cumulative log return. */
  event: Float32Array;
  vol: Float32Array;
  horizonReturn: Float32Array;
  /** Raw ewmaVol of bar t (sigma_t): the naive volatility forecast the model should beat. */
  sigma: Float32Array;
  symbols: string[];
  barTimes: number[];
}

export type SplitName = 'train' | 'validation' | 'test' | 'holdout';

export interface RiskDataset {
  train: RiskSplit;
  validation: RiskSplit;
  test: RiskSplit;
  /** Holdout symbols' samples from the validation and test periods. */
  holdout: RiskSplit;
  /** Fitted on the train split's bars only. */
  scaler: ScalerParams;
  features: RiskFeatureNames;
  boundaries: { validationStart: number; testStart: number };
  /** Range of bar times over all input bars, epoch ms. */
  dataRange: { from: number; to: number };
  symbols: string[];
  holdoutSymbols: string[];
  seqLen: number;
  labels: RiskLabelParams;
  /** Raw train-split distribution per feature, for drift checks. */
  trainingDistribution: FeatureDistribution[];
  /** Problems worth telling whoever trains (e.g. features constant in the train split). */
  warnings: string[];
}

export const DEFAULT_SCALER_CLIP = 5;

/** Market feature values of a bar, in `names` order (names are MarketBar numeric fields). */
export function marketVector(bar: MarketBar, names: readonly string[]): number[] {
  return names.map((n) => (bar as unknown as Record<string, number>)[n] as number);
}

/**
 * The scaled inputs of the sample ending at bar t: bars t-L+1..t, and the macro and sentiment
 * vectors of bar t. Reads nothing after t.
 */
export function sequenceFeatures(
  bars: readonly JoinedBar[],
  t: number,
  seqLen: number,
  scaler: ScalerParams,
): { market: Float32Array; macro: Float32Array; sentiment: Float32Array } {
  const f = scaler.market.names.length;
  const out = {
    market: new Float32Array(seqLen * f),
    macro: new Float32Array(scaler.macro.names.length),
    sentiment: new Float32Array(scaler.sentiment.names.length),
  };
  writeSample(out, 0, bars, t, seqLen, scaler);
  return out;
}

function writeSample(
  out: { market: Float32Array; macro: Float32Array; sentiment: Float32Array },
  i: number,
  bars: readonly JoinedBar[],
  t: number,
  seqLen: number,
  scaler: ScalerParams,
): void {
  if (t - seqLen + 1 < 0 || t >= bars.length) {
    throw new RangeError(`sample at bar ${t} needs bars ${t - seqLen + 1}..${t}, have 0..${bars.length - 1}`);
  }
  const f = scaler.market.names.length;
  const m = scaler.macro.names.length;
  const s = scaler.sentiment.names.length;
  for (let l = 0; l < seqLen; l++) {
    const bar = (bars[t - seqLen + 1 + l] as JoinedBar).bar;
    scaleInto(
      out.market,
      (i * seqLen + l) * f,
      marketVector(bar, scaler.market.names),
      scaler.market,
      scaler.clip,
    );
  }
  const last = bars[t] as JoinedBar;
  scaleInto(out.macro, i * m, last.macro, scaler.macro, scaler.clip);
  scaleInto(out.sentiment, i * s, last.sentiment, scaler.sentiment, scaler.clip);
}

/** validationStart and testStart from a SplitSpec and the distinct bar times seen. */
export function resolveSplitBoundaries(
  split: SplitSpec,
  barTimes: readonly number[],
): { validationStart: number; testStart: number } {
  if ('validationStart' in split) {
    if (!(split.validationStart < split.testStart)) {
      throw new RangeError(
        `validationStart (${new Date(split.validationStart).toISOString()}) must be before testStart (${new Date(split.testStart).toISOString()})`,
      );
    }
    return { validationStart: split.validationStart, testStart: split.testStart };
  }
  const { trainFraction, validationFraction } = split;
  if (!(trainFraction > 0 && validationFraction > 0 && trainFraction + validationFraction < 1)) {
    throw new RangeError(
      `split fractions must be > 0 and leave room for a test split, got train ${trainFraction}, validation ${validationFraction}`,
    );
  }
  const times = [...new Set(barTimes)].sort((a, b) => a - b);
  if (times.length < 3)
    throw new RangeError(`need at least 3 distinct bar times to split, got ${times.length}`);
  const at = (q: number) =>
    times[Math.min(times.length - 1, Math.max(1, Math.floor(times.length * q)))] as number;
  return { validationStart: at(trainFraction), testStart: at(trainFraction + validationFraction) };
}

interface SampleRef {
  series: SymbolSeries;
  t: number;
  event: number;
  vol: number;
  horizonReturn: number;
}

/**
 * Builds the train / validation / test (and holdout) samples. A sample is bar t of a symbol with
 * a full L-bar window and a label; it belongs to the split of its bar time and is kept only if
 * bar t+H (the end of its label horizon) lies in the same split. That purges the H samples before
 * each boundary whose labels would read returns from the next split. Nothing is shuffled.
 */
export function buildRiskDataset(series: readonly SymbolSeries[], options: RiskDatasetOptions): RiskDataset {
  const { seqLen, labels, features } = options;
  const clip = options.clip ?? DEFAULT_SCALER_CLIP;
  const holdout = new Set(options.holdoutSymbols ?? []);
  const seen = new Set<string>();
  for (const s of series) {
    if (seen.has(s.symbol)) throw new RangeError(`symbol ${s.symbol} appears twice in the training series`);
    seen.add(s.symbol);
    checkSeries(s, features);
  }
  for (const h of holdout) {
    if (!seen.has(h))
      throw new RangeError(`holdout symbol ${h} is not in the data (have ${[...seen].join(', ')})`);
  }
  const trainingSeries = series.filter((s) => !holdout.has(s.symbol));
  if (trainingSeries.length === 0) throw new RangeError('every symbol is held out: nothing left to train on');

  const allTimes = series.flatMap((s) => s.bars.map((b) => b.bar.barEnd));
  const boundaries = resolveSplitBoundaries(
    options.split,
    trainingSeries.flatMap((s) => s.bars.map((b) => b.bar.barEnd)),
  );
  const splitOf = (time: number): 'train' | 'validation' | 'test' =>
    time < boundaries.validationStart ? 'train' : time < boundaries.testStart ? 'validation' : 'test';

  // Scaler and distributions from training symbols' train-period bars only.
  const marketRows: number[][] = [];
  const macroRows: number[][] = [];
  const sentimentRows: number[][] = [];
  const filled: boolean[] = [];
  for (const s of trainingSeries) {
    for (const jb of s.bars) {
      if (splitOf(jb.bar.barEnd) !== 'train') continue;
      marketRows.push(marketVector(jb.bar, features.market));
      filled.push(jb.bar.filled);
      macroRows.push(jb.macro);
      sentimentRows.push(jb.sentiment);
    }
  }
  if (marketRows.length === 0)
    throw new RangeError('the train split has no bars: move the split boundaries later');
  const scaler: ScalerParams = options.scaler ?? {
    // Real bars only (fitMarketScaling); the training distribution below keeps every bar.
    market: fitMarketScaling(features.market, marketRows, filled, options.marketDivideBy),
    macro: fitFeatureScaling(features.macro, macroRows),
    sentiment: fitFeatureScaling(features.sentiment, sentimentRows),
    clip,
  };
  if (options.scaler) assertScalerFits(options.scaler, features);
  const column = (rows: number[][], j: number) => rows.map((r) => r[j] as number);
  const trainingDistribution = [
    ...features.market.map((n, j) => describeDistribution('market', n, column(marketRows, j))),
    ...features.macro.map((n, j) => describeDistribution('macro', n, column(macroRows, j))),
    ...features.sentiment.map((n, j) => describeDistribution('sentiment', n, column(sentimentRows, j))),
  ];

  // A constant feature teaches the model nothing, and its input weights stay at their random
  // initial values: if it varies in production, it feeds noise into the model.
  const warnings = trainingDistribution
    .filter((d) => d.count > 0 && d.std === 0)
    .map(
      (d) =>
        `${d.group} feature ${d.name} is constant (${d.mean}) in the train split: the model cannot learn from it, and live values that differ will perturb its outputs`,
    );

  const refs: Record<SplitName, SampleRef[]> = { train: [], validation: [], test: [], holdout: [] };
  for (const s of series) {
    const isHoldout = holdout.has(s.symbol);
    const seriesLabels = riskLabels(
      s.bars.map((b) => b.bar),
      labels,
    );
    for (let t = seqLen - 1; t + labels.horizon < s.bars.length; t++) {
      const split = splitOf((s.bars[t] as JoinedBar).bar.barEnd);
      if (splitOf((s.bars[t + labels.horizon] as JoinedBar).bar.barEnd) !== split) continue;
      const label = seriesLabels[t];
      if (label == null) continue;
      const ref = {
        series: s,
        t,
        event: label.event,
        vol: label.realizedVol,
        horizonReturn: label.horizonReturn,
      };
      if (isHoldout) {
        if (split !== 'train') refs.holdout.push(ref);
      } else refs[split].push(ref);
    }
  }

  const materialise = (list: SampleRef[]): RiskSplit => {
    const n = list.length;
    const f = features.market.length;
    const out: RiskSplit = {
      size: n,
      seqLen,
      marketWidth: f,
      macroWidth: features.macro.length,
      sentimentWidth: features.sentiment.length,
      market: new Float32Array(n * seqLen * f),
      macro: new Float32Array(n * features.macro.length),
      sentiment: new Float32Array(n * features.sentiment.length),
      event: new Float32Array(n),
      vol: new Float32Array(n),
      horizonReturn: new Float32Array(n),
      sigma: new Float32Array(n),
      symbols: [],
      barTimes: [],
    };
    list.forEach((r, i) => {
      writeSample(out, i, r.series.bars, r.t, seqLen, scaler);
      out.event[i] = r.event;
      out.vol[i] = r.vol;
      out.horizonReturn[i] = r.horizonReturn;
      out.sigma[i] = (r.series.bars[r.t] as JoinedBar).bar.ewmaVol;
      out.symbols.push(r.series.symbol);
      out.barTimes.push((r.series.bars[r.t] as JoinedBar).bar.barEnd);
    });
    return out;
  };

  return {
    train: materialise(refs.train),
    validation: materialise(refs.validation),
    test: materialise(refs.test),
    holdout: materialise(refs.holdout),
    scaler,
    features,
    boundaries,
    dataRange: { from: Math.min(...allTimes), to: Math.max(...allTimes) },
    symbols: trainingSeries.map((s) => s.symbol),
    holdoutSymbols: [...holdout],
    seqLen,
    labels,
    trainingDistribution,
    warnings,
  };
}

function assertScalerFits(scaler: ScalerParams, features: RiskFeatureNames): void {
  for (const group of ['market', 'macro', 'sentiment'] as const) {
    const have = scaler[group].names.join(',');
    const want = features[group].join(',');
    if (have !== want) {
      throw new RangeError(
        `the given scaler's ${group} features [${have}] differ from the dataset's [${want}]`,
      );
    }
  }
}

function checkSeries(s: SymbolSeries, features: RiskFeatureNames): void {
  let previous = Number.NEGATIVE_INFINITY;
  s.bars.forEach((jb, i) => {
    if (jb.bar.symbol !== s.symbol) {
      throw new RangeError(`series ${s.symbol} bar ${i} belongs to ${jb.bar.symbol}`);
    }
    if (!(jb.bar.barEnd > previous)) {
      throw new RangeError(
        `series ${s.symbol} is not time-ordered at bar ${i}: barEnd ${jb.bar.barEnd} after ${previous}`,
      );
    }
    previous = jb.bar.barEnd;
    if (jb.macro.length !== features.macro.length || jb.sentiment.length !== features.sentiment.length) {
      throw new RangeError(
        `series ${s.symbol} bar ${i}: expected ${features.macro.length} macro and ${features.sentiment.length} sentiment values, got ${jb.macro.length} and ${jb.sentiment.length}`,
      );
    }
  });
}
