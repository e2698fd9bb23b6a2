/**
 * Throughput of the anomaly model's streaming parts. (1) `detect` over a directory of
 * timestamp,value CSVs (default: the NAB files in /work/shared/data/anomaly/nab), one file at a
 * time and with N worker threads: rows/s including the online LSTM fits; (2) the tracker alone
 * (normalise, smooth, dynamic threshold, likelihood) per error vector; (3) the served model
 * (forecaster + per-symbol scorer) on SequenceBatches of 64 windows of 32 bars x 6 features.
 * Run: npx tsx bench/anomaly-detect-throughput.ts [dir] [parallel]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnomalyModel } from '../services/models/anomaly/anomaly-runtime.js';
import { AnomalyTracker } from '../services/models/anomaly/anomaly-tracker.js';
import { DEFAULT_ANOMALY_TRAINING } from '../services/models/anomaly/anomaly-training.js';
import { buildForecaster } from '../services/models/anomaly/forecaster-model.js';
import { ensureTfBackend } from '../services/models/anomaly/tf-backend.js';
import { DEFAULT_UNIVARIATE_PARAMS } from '../services/models/anomaly/univariate-detector.js';
import { planDetectJobs } from '../services/nab/detect-jobs.js';
import { runDetect } from '../services/nab/detect-runner.js';
import { MARKET_FEATURES } from '../services/shared/contracts/feature-lists.js';
import type { SequenceBatch } from '../services/shared/contracts/sequence-batch.js';
import { sampleRecords } from '../test/fixtures/sample-records.js';

const dir = process.argv[2] ?? '/work/shared/data/anomaly/nab';
const parallel = Number(process.argv[3] ?? 2);
const backend = await ensureTfBackend();

// (1) detect
const out = mkdtempSync(join(tmpdir(), 'anomaly-bench-'));
try {
  for (const p of [...new Set([1, parallel])]) {
    const jobs = planDetectJobs(dir, join(out, String(p)));
    const t0 = performance.now();
    const files = await runDetect(jobs, { parallel: p });
    const s = (performance.now() - t0) / 1000;
    const rows = files.reduce((n, f) => n + f.rows, 0);
    console.log(
      `detect: ${files.length} files, ${rows} rows, ${s.toFixed(1)} s, ${Math.round(rows / s)} rows/s (${p} in parallel, engine ${DEFAULT_UNIVARIATE_PARAMS.engine}, tfjs ${backend})`,
    );
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

// (2) tracker alone
{
  const tracker = new AnomalyTracker(6);
  const e = new Float64Array(6);
  const n = 50_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < 6; f++) e[f] = Math.abs(Math.sin(i * (f + 1)));
    tracker.update(e);
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`tracker: ${Math.round(n / s)} updates/s (6 features)`);
}

// (3) served model on batches
{
  const L = 32;
  const F = MARKET_FEATURES.length;
  const B = 64;
  const spec = {
    seqLen: L,
    inputFeatures: [...MARKET_FEATURES],
    targetFeatures: [...MARKET_FEATURES],
    units: 32,
    residual: false,
    seed: 1,
  };
  const identity = { names: [...MARKET_FEATURES], mean: new Array(F).fill(0), std: new Array(F).fill(1) };
  const empty = { names: [], mean: [], std: [] };
  const model = new AnomalyModel(buildForecaster(spec), {
    format: 'risk-monitor.anomaly-bundle',
    formatVersion: 1,
    version: 'bench',
    createdAt: 0,
    spec,
    scaler: { market: identity, macro: empty, sentiment: empty, clip: 5 },
    tracker: DEFAULT_ANOMALY_TRAINING.tracker,
    metrics: {},
    training: {
      dataFrom: 0,
      dataTo: 0,
      cut: 0,
      trainSamples: 0,
      validationSamples: 0,
      epochs: 0,
      symbols: [],
    },
  });
  const batches = 200;
  const market = Float32Array.from({ length: B * L * F }, (_, i) => Math.sin(i));
  const t0 = performance.now();
  for (let k = 0; k < batches; k++) {
    const meta = Array.from({ length: B }, (_, b) => {
      const barEnd = 1_500_000_000_000 + k * 60_000;
      const lastBar = { ...sampleRecords.MarketBar, symbol: `S${b}`, barStart: barEnd - 60_000, barEnd };
      return { symbol: `S${b}`, barTime: barEnd, lastBar, macro: {}, sentiment: {}, ack: () => {} };
    });
    const batch: SequenceBatch = {
      size: B,
      seqLen: L,
      marketWidth: F,
      macroWidth: 0,
      sentimentWidth: 0,
      market,
      macro: new Float32Array(0),
      sentiment: new Float32Array(0),
      meta,
    };
    model.scoreBatch(batch);
  }
  const s = (performance.now() - t0) / 1000;
  console.log(
    `served model: ${Math.round((batches * B) / s)} windows/s (batches of ${B}, L=${L}, F=${F}, 20 units, tfjs ${backend})`,
  );
  model.dispose();
}
