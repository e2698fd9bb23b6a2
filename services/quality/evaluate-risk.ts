import type { BundleMetadata } from '../models/bundle/bundle-schemas.js';
import { DEFAULT_VAR_ADAPTATION } from '../models/risk/adaptive-var-scale.js';
import type { RiskCalibration } from '../models/risk/risk-calibration.js';
import { sequenceFeatures } from '../models/risk/risk-dataset.js';
import type { RiskLabelParams } from '../models/risk/risk-labels.js';
import type { RiskRuntime } from '../models/runtime/risk-runtime.js';
import type { ScalerParams } from '../shared/contracts/scaler.js';
import type { JoinedBar, SequenceBatch } from '../shared/contracts/sequence-batch.js';
import { replayAdaptiveVar } from './adaptive-var-replay.js';
import type { BaselineContext, FittedBaseline } from './baselines/baseline.js';
import { thresholdForRate } from './baselines/baseline.js';
import { fitEwmaVolBaseline } from './baselines/ewma-vol-baseline.js';
import {
  DEFAULT_FOREST_OPTIONS,
  type ForestOptions,
  fitForestBaseline,
} from './baselines/forest-baseline.js';
import { fitLogisticBaseline } from './baselines/logistic-baseline.js';
import { type AucComparison, type BootstrapOptions, compareAucs } from './block-bootstrap.js';
import { type ScorerDetails, type ScorerMetrics, scorerMetrics } from './scorer-metrics.js';
import { type BaselZone, backtestVar, baselZone, type VarBacktest } from './var-backtest.js';
import { indicesBySymbol, type LabelledSample, walkForwardSplit } from './walk-forward.js';

/** The bundle under evaluation, loaded for serving (never fitted here). */
export interface RiskModelUnderTest {
  metadata: BundleMetadata;
  scaler: ScalerParams;
  calibration: RiskCalibration;
  runtime: RiskRuntime;
}

export type EvaluationProgress =
  | { kind: 'stage'; stage: string; detail?: Record<string, number | string> }
  | { kind: 'batch'; done: number; total: number };

/**
 * Which out-of-sample period is scored. `test` (the report's): every bar from the bundle's
 * validation end on. `validation`: the bars from validation start to test start, with baselines
 * fitted before validation start; a second, earlier period to see whether a comparison holds
 * across regimes. The model was early-stopped and calibrated on it, so it flatters the model.
 */
export type EvaluationPeriod = 'test' | 'validation';
export const EVALUATION_PERIODS: readonly EvaluationPeriod[] = ['test', 'validation'];

export interface EvaluateRiskOptions {
  period?: EvaluationPeriod;
  /**
   * With period `test`: score only bars ending before this time (ms), so that folds of a
   * walk-forward can each score their own segment (walk-forward-folds.ts). Default: no end.
   */
  testUntil?: number;
  bootstrap?: BootstrapOptions;
  forest?: Partial<ForestOptions>;
  /**
   * Step of the adaptive VaR scale the scorer serves with (scorer.varAdaptationGamma); 0 backtests
   * the model's quantile head as trained. Default: the scorer's default.
   */
  varGamma?: number;
  /** Sequences per model call. */
  batchSize?: number;
  onProgress?: (event: EvaluationProgress) => void;
}

export interface VarSummary {
  exceedanceRate: number;
  kupiecP: number;
  christoffersenP: number;
}

/** The JSON `evaluate risk` writes: exactly these keys (docs/quality.md). */
export interface RiskQualityReport {
  model: ScorerMetrics;
  baselines: Record<string, ScorerMetrics>;
  var: { var95: VarSummary; var99: VarSummary & { baselZone: BaselZone } };
  n: number;
  /** First and last trading day (bar date, yyyy-mm-dd) of the scored samples. */
  period: [string, string];
}

/** Everything else worth printing: what was evaluated, on what, and how thresholds were set. */
export interface RiskEvaluationDetails {
  modelVersion: string;
  /** The bundle's training set-up, so a report can say what was evaluated. */
  bundle: {
    trainedSymbols: string[];
    heldOutSymbols: string[];
    boundaries: Record<string, string>;
    trainedOn: string;
    createdAt: string;
  };
  cutoff: string;
  /** The period scored (EvaluationPeriod) and, for `validation`, where it ends. */
  period: EvaluationPeriod;
  until: string | null;
  symbols: string[];
  unseenSymbols: string[];
  fitSamples: number;
  /** Block-bootstrap intervals of every ROC-AUC and of model minus each baseline. */
  aucIntervals: AucComparison;
  evaluationEvents: number;
  model: ScorerDetails;
  baselines: Record<string, ScorerDetails & { params: Record<string, number | string> }>;
  /** Backtests of the VaR as served (after the adaptive scale). */
  var95: VarBacktest;
  var99: VarBacktest;
  /** The adaptive scale's step and where it ended; the head's own backtests beside the served ones. */
  varAdaptation: {
    gamma: number;
    finalScale95: number;
    finalScale99: number;
    head95: VarBacktest;
    head99: VarBacktest;
  };
}

export interface RiskEvaluation {
  report: RiskQualityReport;
  details: RiskEvaluationDetails;
  /** Every scored sample with each scorer's score and the model's VaRs, for pooling folds. */
  scored: ScoredSamples;
}

export interface ScoredSamples {
  samples: LabelledSample[];
  /** model and each baseline, in sample order. */
  scores: Record<string, ArrayLike<number>>;
  /** The VaRs as served (after the adaptive scale). */
  var95: Float32Array;
  var99: Float32Array;
}

/** Thrown when the data cannot support the evaluation (nothing after the cutoff, nothing before it). */
export class EvaluationDataError extends Error {
  override readonly name = 'EvaluationDataError';
}

/**
 * Walk-forward evaluation of a risk bundle on joined bars (from buildFeatureHistory): the model
 * scores every labelled bar from the bundle's validation end (its test start) on, without being
 * fitted; three baselines are fitted on the same bars' labelled samples whose horizon ends before
 * that date, and scored on the same samples as the model.
 */
export async function evaluateRisk(
  bars: ReadonlyMap<string, readonly JoinedBar[]>,
  bundle: RiskModelUnderTest,
  options: EvaluateRiskOptions = {},
): Promise<RiskEvaluation> {
  const progress = options.onProgress ?? (() => {});
  const { metadata } = bundle;
  const period = options.period ?? 'test';
  const boundary = (name: 'validationStart' | 'testStart') => {
    const iso = metadata.data.boundaries[name];
    const ms = iso === undefined ? Number.NaN : Date.parse(iso);
    if (!Number.isFinite(ms)) {
      throw new EvaluationDataError(
        `bundle ${metadata.version} has no usable data.boundaries.${name}, got ${String(iso)}`,
      );
    }
    return { iso: iso as string, ms };
  };
  const { iso: cutoffIso, ms: cutoff } = boundary(period === 'test' ? 'testStart' : 'validationStart');
  const until =
    period === 'validation'
      ? boundary('testStart')
      : options.testUntil !== undefined
        ? { iso: new Date(options.testUntil).toISOString(), ms: options.testUntil }
        : null;
  const labels = labelParams(metadata);
  const split = walkForwardSplit(bars, { cutoff, seqLen: metadata.seqLen, labels });
  const { fit } = split;
  const evaluate = until ? split.evaluate.filter((s) => s.barEnd < until.ms) : split.evaluate;
  if (evaluate.length === 0) {
    throw new EvaluationDataError(
      `no labelled bar ${until ? `between ${cutoffIso} and ${until.iso}` : `on or after the bundle's validation end ${cutoffIso}`}: the data must extend past it by more than ${labels.horizon} bars`,
    );
  }
  if (fit.length === 0) {
    throw new EvaluationDataError(
      `no labelled bar before the bundle's validation end ${cutoffIso}: the baselines have nothing to fit on`,
    );
  }
  const symbols = [...new Set(evaluate.map((s) => s.symbol))].sort();
  progress({
    kind: 'stage',
    stage: 'split',
    detail: {
      cutoff: cutoffIso,
      period,
      fit: fit.length,
      evaluate: evaluate.length,
      symbols: symbols.length,
    },
  });

  const warning = bundle.calibration.eventThresholds.find((t) => t.severity === 'WARNING');
  if (warning === undefined) throw new EvaluationDataError('the bundle calibration has no WARNING threshold');

  progress({ kind: 'stage', stage: 'model' });
  const model = await scoreModel(bars, bundle, evaluate, options.batchSize ?? 512, progress);
  const modelScored = scorerMetrics(evaluate, model.event, warning.enter, labels.horizon);

  const ctx: BaselineContext = { bars, labels, marketFeatures: bundle.scaler.market.names };
  const fitters: [string, () => FittedBaseline][] = [
    ['ewmaVol', () => fitEwmaVolBaseline(ctx, fit)],
    ['logistic', () => fitLogisticBaseline(ctx, fit)],
    ['forest', () => fitForestBaseline(ctx, fit, { ...DEFAULT_FOREST_OPTIONS, ...options.forest })],
  ];
  const baselines: Record<string, ScorerMetrics> = {};
  const scoresByScorer: Record<string, ArrayLike<number>> = { model: model.event };
  const baselineDetails: RiskEvaluationDetails['baselines'] = {};
  for (const [name, fitBaseline] of fitters) {
    progress({ kind: 'stage', stage: `fit ${name}` });
    const fitted = fitBaseline();
    // Same alert rate as the model's WARNING level on its validation split, chosen on fit-period scores.
    const threshold = thresholdForRate(fitted.score(fit), warning.validationFlaggedRate);
    const evaluated = fitted.score(evaluate);
    scoresByScorer[name] = evaluated;
    const scored = scorerMetrics(evaluate, evaluated, threshold, labels.horizon);
    baselines[name] = scored.metrics;
    baselineDetails[name] = { ...scored.details, params: fitted.params };
  }

  progress({ kind: 'stage', stage: 'bootstrap' });
  const groups = indicesBySymbol(evaluate);
  const aucIntervals = compareAucs(
    scoresByScorer,
    evaluate.map((e) => e.event),
    groups,
    options.bootstrap,
  );

  progress({ kind: 'stage', stage: 'var backtest' });
  const gamma = options.varGamma ?? DEFAULT_VAR_ADAPTATION.gamma;
  const forecasts = evaluate.map((s) => ({
    servedAt: s.barEnd,
    resolvedAt: s.horizonEnd,
    outcome: s.horizonReturn,
  }));
  const served = replayAdaptiveVar(forecasts, model, {
    gamma,
    maxLogScale: DEFAULT_VAR_ADAPTATION.maxLogScale,
  });
  const outcome = (idx: number[]) => idx.map((i) => (evaluate[i] as LabelledSample).horizonReturn);
  const backtest = (v: ArrayLike<number>, nominal: number) =>
    backtestVar(
      groups.map((idx) => ({ outcome: outcome(idx), var: idx.map((i) => v[i] as number) })),
      nominal,
    );
  const var95 = backtest(served.var95, 0.05);
  const var99 = backtest(served.var99, 0.01);
  const summary = (b: VarBacktest): VarSummary => ({
    exceedanceRate: b.exceedanceRate,
    kupiecP: b.kupiecP,
    christoffersenP: b.christoffersenP,
  });

  const times = evaluate.map((s) => s.barEnd);
  const report: RiskQualityReport = {
    model: modelScored.metrics,
    baselines,
    var: {
      var95: summary(var95),
      var99: { ...summary(var99), baselZone: baselZone(var99.n, var99.exceedances) },
    },
    n: evaluate.length,
    period: [tradingDay(bars, evaluate, Math.min(...times)), tradingDay(bars, evaluate, Math.max(...times))],
  };
  const trained = new Set([...metadata.data.symbols]);
  return {
    report,
    details: {
      modelVersion: bundle.runtime.modelVersion,
      bundle: {
        trainedSymbols: metadata.data.symbols,
        heldOutSymbols: metadata.data.holdoutSymbols,
        boundaries: metadata.data.boundaries,
        trainedOn: metadata.trainedOn,
        createdAt: metadata.createdAt,
      },
      cutoff: cutoffIso,
      period,
      until: until?.iso ?? null,
      symbols,
      unseenSymbols: symbols.filter((s) => !trained.has(s)),
      fitSamples: fit.length,
      aucIntervals,
      evaluationEvents: evaluate.filter((s) => s.event === 1).length,
      model: modelScored.details,
      baselines: baselineDetails,
      var95,
      var99,
      varAdaptation: {
        gamma,
        finalScale95: served.finalScale95,
        finalScale99: served.finalScale99,
        head95: backtest(model.var95, 0.05),
        head99: backtest(model.var99, 0.01),
      },
    },
    scored: { samples: evaluate, scores: scoresByScorer, var95: served.var95, var99: served.var99 },
  };
}

function labelParams(metadata: BundleMetadata): RiskLabelParams {
  const { horizon, k } = metadata.label;
  if (
    !(
      typeof horizon === 'number' &&
      Number.isInteger(horizon) &&
      horizon >= 1 &&
      typeof k === 'number' &&
      k > 0
    )
  ) {
    throw new EvaluationDataError(
      `bundle ${metadata.version} label must have an integer horizon >= 1 and k > 0, got ${JSON.stringify(metadata.label)}`,
    );
  }
  return { horizon, k };
}

/** The model's event probability and VaRs for every sample, in sample order, batch by batch. */
async function scoreModel(
  bars: ReadonlyMap<string, readonly JoinedBar[]>,
  bundle: RiskModelUnderTest,
  samples: readonly LabelledSample[],
  batchSize: number,
  progress: (e: EvaluationProgress) => void,
): Promise<{ event: Float32Array; var95: Float32Array; var99: Float32Array }> {
  const n = samples.length;
  const { seqLen } = bundle.metadata;
  const f = bundle.scaler.market.names.length;
  const m = bundle.scaler.macro.names.length;
  const s = bundle.scaler.sentiment.names.length;
  const out = { event: new Float32Array(n), var95: new Float32Array(n), var99: new Float32Array(n) };
  for (let start = 0; start < n; start += batchSize) {
    const b = Math.min(batchSize, n - start);
    const batch: SequenceBatch = {
      size: b,
      seqLen,
      marketWidth: f,
      macroWidth: m,
      sentimentWidth: s,
      market: new Float32Array(b * seqLen * f),
      macro: new Float32Array(b * m),
      sentiment: new Float32Array(b * s),
      // predict reads only the tensors; meta is for explanations and acks, which evaluation does not use.
      meta: [],
    };
    for (let i = 0; i < b; i++) {
      const sample = samples[start + i] as LabelledSample;
      const x = sequenceFeatures(bars.get(sample.symbol) ?? [], sample.t, seqLen, bundle.scaler);
      batch.market.set(x.market, i * seqLen * f);
      batch.macro.set(x.macro, i * m);
      batch.sentiment.set(x.sentiment, i * s);
    }
    const y = await bundle.runtime.predict(batch);
    out.event.set(y.eventProbability, start);
    out.var95.set(y.var95, start);
    out.var99.set(y.var99, start);
    progress({ kind: 'batch', done: start + b, total: n });
  }
  return out;
}

/** yyyy-mm-dd of the bar's start (the trading day; barEnd is the next midnight for daily bars). */
function tradingDay(
  bars: ReadonlyMap<string, readonly JoinedBar[]>,
  samples: readonly LabelledSample[],
  barEnd: number,
): string {
  const sample = samples.find((x) => x.barEnd === barEnd) as LabelledSample;
  const bar = bars.get(sample.symbol)?.[sample.t]?.bar;
  return new Date(bar?.barStart ?? barEnd).toISOString().slice(0, 10);
}
