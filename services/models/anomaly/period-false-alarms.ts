import type * as tf from '@tensorflow/tfjs';
import type { AnomalyDataset, AnomalySplit } from './anomaly-dataset.js';
import { AnomalyTracker, type TrackerParams } from './anomaly-tracker.js';
import { type ForecasterSpec, targetIndices } from './forecaster-model.js';
import { ForecasterRuntime } from './forecaster-runtime.js';

/** Rows judged (threshold warmed up) and flagged on a period, and their ratio (0 when none judged). */
export interface FalseAlarmRate {
  judged: number;
  flagged: number;
  rate: number;
}

/**
 * The anomaly model's flagged share on a held-out period as a running scorer would produce it:
 * each symbol's forecast errors go through one fresh AnomalyTracker (the scorer's thresholding,
 * with the bundle's tracker parameters) in time order from its first window, so the dynamic
 * threshold has warmed up on the bars before the period, as it would have in service. Only rows
 * whose target bar is in the period (the dataset's validation split, barTime >= cut) and whose
 * threshold is warm are counted. There are no anomaly labels: in a period taken to be normal,
 * every flag counts as a false alarm.
 */
export function periodFalseAlarmRate(
  forecastsOf: (split: AnomalySplit) => Float32Array,
  spec: ForecasterSpec,
  tracker: TrackerParams,
  dataset: Pick<AnomalyDataset, 'train' | 'validation' | 'marketFeatures'>,
): FalseAlarmRate {
  const columns = targetIndices({ ...spec, inputFeatures: dataset.marketFeatures });
  const splits = [
    { split: dataset.train, forecasts: forecastsOf(dataset.train), inPeriod: false },
    { split: dataset.validation, forecasts: forecastsOf(dataset.validation), inPeriod: true },
  ];
  // Samples are grouped by symbol in time order within each split; the train part comes first.
  const rows = new Map<string, { part: number; i: number }[]>();
  splits.forEach(({ split }, part) => {
    split.symbols.forEach((symbol, i) => {
      const list = rows.get(symbol);
      if (list) list.push({ part, i });
      else rows.set(symbol, [{ part, i }]);
    });
  });
  const width = dataset.marketFeatures.length;
  const fout = columns.length;
  const errors = new Float64Array(fout);
  const actuals = new Float64Array(fout);
  let judged = 0;
  let flagged = 0;
  for (const list of rows.values()) {
    const t = new AnomalyTracker(fout, tracker);
    for (const { part, i } of list) {
      const { split, forecasts, inPeriod } = splits[part] as (typeof splits)[number];
      for (let k = 0; k < fout; k++) {
        const actual = split.targets[i * width + (columns[k] as number)] as number;
        errors[k] = Math.abs(actual - (forecasts[i * fout + k] as number));
        actuals[k] = actual;
      }
      const point = t.update(errors, actuals);
      if (inPeriod && Number.isFinite(point.threshold)) {
        judged++;
        if (point.isAnomaly) flagged++;
      }
    }
  }
  return { judged, flagged, rate: judged > 0 ? flagged / judged : 0 };
}

/** The forecasts periodFalseAlarmRate needs, from a tfjs forecaster. */
export function forecasterForecasts(
  model: tf.LayersModel,
  spec: ForecasterSpec,
): (split: AnomalySplit) => Float32Array {
  const runtime = new ForecasterRuntime(model, spec);
  return (split) => runtime.forecast(split.inputs, split.count);
}
