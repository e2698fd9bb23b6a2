import { MARKET_FEATURES, SENTIMENT_FEATURES } from '../../shared/contracts/feature-lists.js';
import type { MarketBar } from '../../shared/contracts/records.js';
import { type FeatureScaling, type ScalerParams, scaleInto } from '../../shared/contracts/scaler.js';
import type { JoinedBar } from '../../shared/contracts/sequence-batch.js';
import { fitFeatureScaling, fitMarketScaling } from '../training/fit-scaler.js';
import type { ForecastSamples } from './forecaster-training.js';

/**
 * The anomaly forecaster's dataset, built like the risk model's: per symbol, bars in time order;
 * a time-ordered split at one cut time for all symbols; the scaler fitted on training bars only.
 * A sample is the window of bars t-L..t-1 (scaled market features, as in a SequenceBatch) and
 * the scaled market features of bar t.
 */
export interface AnomalyDatasetOptions {
  seqLen: number;
  /** Share of the distinct bar times before the cut (train); the rest is validation. */
  trainFraction: number;
  /** The cut time itself (target bars at or after it are validation); overrides trainFraction. */
  cut?: number;
  /** Use this scaler (e.g. the risk bundle's, so both models read the same SequenceBatch). */
  scaler?: ScalerParams;
  /** Names of the macro vector entries, for a fitted scaler (the anomaly model does not read them). */
  macroNames?: readonly string[];
  clip?: number;
  marketFeatures?: readonly string[];
}

export interface AnomalySplit extends ForecastSamples {
  symbols: string[];
  /** barEnd of each sample's target bar. */
  barTimes: number[];
}

export interface AnomalyDataset {
  train: AnomalySplit;
  validation: AnomalySplit;
  scaler: ScalerParams;
  /** Target bars with barEnd >= cut are validation samples. */
  cut: number;
  seqLen: number;
  marketFeatures: string[];
  dataRange: { from: number; to: number };
}

export const DEFAULT_ANOMALY_CLIP = 5;

const SENTIMENT_NAMES: readonly string[] = SENTIMENT_FEATURES;

export function groupBySymbol(bars: readonly JoinedBar[]): Map<string, JoinedBar[]> {
  const out = new Map<string, JoinedBar[]>();
  for (const jb of bars) {
    const list = out.get(jb.bar.symbol);
    if (list) list.push(jb);
    else out.set(jb.bar.symbol, [jb]);
  }
  for (const list of out.values()) list.sort((a, b) => a.bar.barEnd - b.bar.barEnd);
  return out;
}

function marketValues(bar: MarketBar, names: readonly string[]): number[] {
  return names.map((n) => (bar as unknown as Record<string, number>)[n] as number);
}

/** The cut time: the distinct bar time at trainFraction of the sorted distinct times. */
export function splitTime(bars: readonly JoinedBar[], trainFraction: number): number {
  if (!(trainFraction > 0 && trainFraction < 1)) {
    throw new RangeError(`trainFraction must be in (0, 1), got ${trainFraction}`);
  }
  const times = [...new Set(bars.map((b) => b.bar.barEnd))].sort((a, b) => a - b);
  if (times.length < 2) throw new RangeError(`need bars at 2 or more times to split, got ${times.length}`);
  return times[Math.min(times.length - 1, Math.max(1, Math.floor(times.length * trainFraction)))] as number;
}

export function buildAnomalyDataset(
  bars: readonly JoinedBar[],
  options: AnomalyDatasetOptions,
): AnomalyDataset {
  const L = options.seqLen;
  const names = [...(options.marketFeatures ?? MARKET_FEATURES)];
  const clip = options.clip ?? DEFAULT_ANOMALY_CLIP;
  const cut = options.cut ?? splitTime(bars, options.trainFraction);
  const bySymbol = groupBySymbol(bars);
  const scaler = options.scaler ?? fitScaler(bySymbol, cut, names, options.macroNames ?? [], clip);
  const market: FeatureScaling = scaler.market;
  if (market.names.join(',') !== names.join(',')) {
    throw new RangeError(
      `scaler market features (${market.names.join(', ')}) differ from the model's (${names.join(', ')})`,
    );
  }
  const f = names.length;
  const train: AnomalySplit = emptySplit();
  const validation: AnomalySplit = emptySplit();
  const trainInputs: Float32Array[] = [];
  const trainTargets: Float32Array[] = [];
  const validInputs: Float32Array[] = [];
  const validTargets: Float32Array[] = [];
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const [symbol, list] of bySymbol) {
    const scaled = new Float32Array(list.length * f);
    list.forEach((jb, t) => {
      scaleInto(scaled, t * f, marketValues(jb.bar, names), market, scaler.clip);
      from = Math.min(from, jb.bar.barEnd);
      to = Math.max(to, jb.bar.barEnd);
    });
    for (let t = L; t < list.length; t++) {
      const barTime = (list[t] as JoinedBar).bar.barEnd;
      const isTrain = barTime < cut;
      const split = isTrain ? train : validation;
      (isTrain ? trainInputs : validInputs).push(scaled.subarray((t - L) * f, t * f));
      (isTrain ? trainTargets : validTargets).push(scaled.subarray(t * f, (t + 1) * f));
      split.symbols.push(symbol);
      split.barTimes.push(barTime);
      split.count++;
    }
  }
  train.inputs = concat(trainInputs);
  train.targets = concat(trainTargets);
  validation.inputs = concat(validInputs);
  validation.targets = concat(validTargets);
  return { train, validation, scaler, cut, seqLen: L, marketFeatures: names, dataRange: { from, to } };
}

function fitScaler(
  bySymbol: Map<string, JoinedBar[]>,
  cut: number,
  names: readonly string[],
  macroNames: readonly string[],
  clip: number,
): ScalerParams {
  const trainBars = [...bySymbol.values()].flat().filter((jb) => jb.bar.barEnd < cut);
  return {
    market: fitMarketScaling(
      names,
      trainBars.map((jb) => marketValues(jb.bar, names)),
      trainBars.map((jb) => jb.bar.filled),
    ),
    macro: fitFeatureScaling(
      macroNames,
      trainBars.map((jb) => jb.macro),
    ),
    sentiment: fitFeatureScaling(
      SENTIMENT_NAMES,
      trainBars.map((jb) => jb.sentiment),
    ),
    clip,
  };
}

function emptySplit(): AnomalySplit {
  return { count: 0, inputs: new Float32Array(0), targets: new Float32Array(0), symbols: [], barTimes: [] };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
