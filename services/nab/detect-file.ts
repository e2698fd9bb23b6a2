import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  DEFAULT_UNIVARIATE_PARAMS,
  UnivariateDetector,
  type UnivariateDetectorParams,
} from '../models/anomaly/univariate-detector.js';
import type { DetectJob } from './detect-jobs.js';
import { formatScoredCsv, parseTimestampValueCsv, roundScore } from './timestamp-value-csv.js';

export interface DetectedFile {
  relative: string;
  rows: number;
  seconds: number;
  timestamps: number[];
  /** Scores as written (rounded to 6 decimals). */
  scores: number[];
}

/** Scores one CSV with a fresh online detector and writes timestamp,value,anomaly_score. */
export async function detectFile(
  job: DetectJob,
  params: UnivariateDetectorParams = DEFAULT_UNIVARIATE_PARAMS,
): Promise<DetectedFile> {
  const series = parseTimestampValueCsv(readFileSync(job.input, 'utf8'), job.input);
  const started = performance.now();
  const detector = new UnivariateDetector(params);
  let raw: Float64Array;
  try {
    raw = await detector.pushAll(series.timestamps, series.values);
  } finally {
    detector.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  mkdirSync(dirname(job.output), { recursive: true });
  writeFileSync(job.output, formatScoredCsv(series, raw));
  return {
    relative: job.relative,
    rows: raw.length,
    seconds,
    timestamps: series.timestamps,
    scores: Array.from(raw, roundScore),
  };
}
