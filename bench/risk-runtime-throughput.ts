/**
 * Risk model inference throughput (sequences/s) per TensorFlow.js backend, through the same
 * TfjsRiskRuntime the scorer uses: batches of B random sequences [B, L, F] + [B, M] + [B, S] at the
 * default model size, plus the cost of explaining 32 rows of a batch (a gradient pass). A bundle
 * directory may be given to measure a trained model instead.
 * Run: npx tsx bench/risk-runtime-throughput.ts [batch=256] [iterations=20] [backends=wasm,cpu] [bundleDir]
 */
import * as tf from '@tensorflow/tfjs';
import { loadRiskBundle } from '../services/models/risk/risk-bundle.js';
import { buildRiskModel, DEFAULT_RISK_MODEL_SIZE } from '../services/models/risk/risk-model.js';
import { type BackendName, selectTfBackend } from '../services/models/runtime/tf-backend.js';
import { TfjsRiskRuntime } from '../services/models/runtime/tfjs-risk-runtime.js';
import { SeededRandom } from '../services/models/training/seeded-random.js';
import {
  DEFAULT_MACRO_INDICATORS,
  MARKET_FEATURES,
  macroFeatureNames,
  SENTIMENT_FEATURES,
} from '../services/shared/contracts/feature-lists.js';
import type { SequenceBatch } from '../services/shared/contracts/sequence-batch.js';

const batchSize = Number(process.argv[2] ?? 256);
const iterations = Number(process.argv[3] ?? 20);
const backends = (process.argv[4] ?? 'wasm,cpu').split(',') as BackendName[];
const bundleDir = process.argv[5];
const seqLen = 30;
const features = {
  market: [...MARKET_FEATURES],
  macro: macroFeatureNames(DEFAULT_MACRO_INDICATORS),
  sentiment: [...SENTIMENT_FEATURES],
};

function randomBatch(l: number): SequenceBatch {
  const rng = new SeededRandom(1);
  const fill = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
  return {
    size: batchSize,
    seqLen: l,
    marketWidth: features.market.length,
    macroWidth: features.macro.length,
    sentimentWidth: features.sentiment.length,
    market: fill(batchSize * l * features.market.length),
    macro: fill(batchSize * features.macro.length),
    sentiment: fill(batchSize * features.sentiment.length),
    meta: [],
  };
}

const results = [];
for (const backend of backends) {
  const selection = await selectTfBackend(backend);
  if (selection.active !== backend) {
    results.push({ backend, error: `could not start (${selection.active} instead)` });
    continue;
  }
  let runtime: TfjsRiskRuntime;
  let l = seqLen;
  if (bundleDir) {
    const bundle = await loadRiskBundle(bundleDir, features);
    l = bundle.metadata.seqLen;
    runtime = new TfjsRiskRuntime(bundle.model, bundle.metadata.version, l, features);
  } else {
    const model = buildRiskModel({
      seqLen,
      marketWidth: features.market.length,
      macroWidth: features.macro.length,
      sentimentWidth: features.sentiment.length,
      ...DEFAULT_RISK_MODEL_SIZE,
      seed: 1,
    });
    runtime = new TfjsRiskRuntime(model, 'bench', seqLen, features);
  }
  const batch = randomBatch(l);
  for (let i = 0; i < 3; i++) await runtime.predict(batch);
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await runtime.predict(batch);
    times.push(performance.now() - t);
  }
  const explainRows = Array.from({ length: Math.min(32, batchSize) }, (_, i) => i);
  await runtime.explainEvent(batch, explainRows, 5);
  const explainTimes: number[] = [];
  for (let i = 0; i < Math.max(3, Math.floor(iterations / 4)); i++) {
    const t = performance.now();
    await runtime.explainEvent(batch, explainRows, 5);
    explainTimes.push(performance.now() - t);
  }
  runtime.dispose();
  explainTimes.sort((a, b) => a - b);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] as number;
  results.push({
    backend,
    batch: batchSize,
    seqLen: l,
    lstmUnits: DEFAULT_RISK_MODEL_SIZE.lstmUnits,
    medianBatchMs: Number(median.toFixed(1)),
    sequencesPerSec: Math.round((batchSize / median) * 1000),
    minBatchMs: Number((times[0] as number).toFixed(1)),
    explain32RowsMs: Number((explainTimes[Math.floor(explainTimes.length / 2)] as number).toFixed(1)),
    tensorsLeft: tf.memory().numTensors,
  });
}
console.log(JSON.stringify({ node: process.version, results }, null, 2));
