/**
 * Risk model inference for every available runtime on the same weights (the default model size,
 * L = 32, the pipeline's feature widths): sequences/s and p50/p99 ms per batch for batch sizes
 * 1, 32, 256, 1024, and each runtime's max |output - tfjs cpu output| on a fixed parity batch.
 * Runtimes take turns inside every round, so a noisy neighbour slows them alike.
 * Run: npx tsx bench/inference-bench.ts
 */
import * as tf from '@tensorflow/tfjs';
import { exportToOnnx } from '../services/models/onnx/tfjs-to-onnx.js';
import { buildRiskModel, DEFAULT_RISK_MODEL_SIZE } from '../services/models/risk/risk-model.js';
import { OnnxRiskRuntime } from '../services/models/runtime/onnx-risk-runtime.js';
import type { RiskRuntime } from '../services/models/runtime/risk-runtime.js';
import { maxAbsDiff, parityBatch } from '../services/models/runtime/runtime-parity.js';
import { type BackendName, selectTfBackend } from '../services/models/runtime/tf-backend.js';
import { TfjsRiskRuntime } from '../services/models/runtime/tfjs-risk-runtime.js';
import {
  DEFAULT_MACRO_INDICATORS,
  MARKET_FEATURES,
  macroFeatureNames,
  SENTIMENT_FEATURES,
} from '../services/shared/contracts/feature-lists.js';
import type { SequenceBatch } from '../services/shared/contracts/sequence-batch.js';
import { percentile, round, spread } from './bench-stats.js';
import { benchRuns, figureMain, progress } from './figure-main.js';

export const BATCH_SIZES = [1, 32, 256, 1024] as const;
/** Time spent per runtime, batch size and round (at least MIN_CALLS calls). */
const SLICE_MS = Number(process.env.BENCH_INFERENCE_SLICE_MS ?? 500);
const MIN_CALLS = 1;

const features = {
  market: [...MARKET_FEATURES],
  macro: macroFeatureNames(DEFAULT_MACRO_INDICATORS),
  sentiment: [...SENTIMENT_FEATURES],
};
const shape = {
  seqLen: 32,
  marketWidth: features.market.length,
  macroWidth: features.macro.length,
  sentimentWidth: features.sentiment.length,
};

interface Contender {
  key: string;
  runtime: RiskRuntime;
  /** tfjs backend to activate before this contender runs. */
  backend?: BackendName;
}

async function withBackend(name: BackendName): Promise<boolean> {
  const s = await selectTfBackend(name);
  return s.active === name;
}

await figureMain('inference', async () => {
  const notes: string[] = [];
  const spec = { ...shape, ...DEFAULT_RISK_MODEL_SIZE, seed: 1 };
  await withBackend('cpu');
  const model = buildRiskModel(spec);
  const weights = model.getWeights().map((w) => w.clone());
  const contenders: Contender[] = [];
  const available: Record<string, boolean> = {};
  for (const backend of ['cpu', 'wasm', 'tensorflow'] as const) {
    const key = backend === 'tensorflow' ? 'tfjs-node' : `tfjs-${backend}`;
    if (!(await withBackend(backend))) {
      available[key] = false;
      notes.push(
        `${key}: backend could not start (${backend === 'tensorflow' ? '@tensorflow/tfjs-node not installed' : 'see log'})`,
      );
      continue;
    }
    available[key] = true;
    // Each backend gets its own copy of the weights, so no runtime reads through another backend.
    const m = buildRiskModel(spec);
    m.setWeights(weights);
    contenders.push({ key, backend, runtime: new TfjsRiskRuntime(m, 'bench', shape.seqLen, features) });
  }
  await withBackend('cpu');
  const onnxBytes = exportToOnnx(model);
  for (const threads of [1, 2]) {
    const explainer = new TfjsRiskRuntime(buildRiskModel(spec), 'bench', shape.seqLen, features);
    const key = threads === 1 ? 'onnxruntime-node' : 'onnxruntime-node-2t';
    contenders.push({
      key,
      backend: 'cpu',
      runtime: await OnnxRiskRuntime.create(onnxBytes, explainer, { threads }),
    });
  }
  notes.push('onnxruntime-node: 1 intra-op thread (the per-core figure); onnxruntime-node-2t: 2 threads');

  const reference = contenders.find((c) => c.key === 'tfjs-cpu') as Contender;
  const result: Record<string, unknown> = {};
  const latencies = new Map<string, number[]>();
  const rates = new Map<string, number[]>();
  const batches = new Map(BATCH_SIZES.map((b) => [b, parityBatch(shape, b, 100 + b)]));
  for (const c of contenders) {
    if (c.backend) await withBackend(c.backend);
    await c.runtime.predict(batches.get(32) as SequenceBatch);
    let diff: number;
    if (c === reference) diff = 0;
    else {
      // Reference outputs come from tfjs cpu; switch for it, then back.
      const batch = parityBatch(shape);
      await withBackend('cpu');
      const ref = await reference.runtime.predict(batch);
      if (c.backend) await withBackend(c.backend);
      const got = await c.runtime.predict(batch);
      diff = maxAbsDiff(ref, got);
    }
    result[c.key] = { maxAbsDiff: diff };
    progress('inference', `${c.key} parity`, { maxAbsDiff: diff });
  }

  const runs = benchRuns(3);
  for (let r = 0; r < runs; r++) {
    for (const c of contenders) {
      if (c.backend) await withBackend(c.backend);
      for (const b of BATCH_SIZES) {
        const batch = batches.get(b) as SequenceBatch;
        const id = `${c.key}|${b}`;
        const times = latencies.get(id) ?? [];
        let calls = 0;
        let busy = 0;
        const start = performance.now();
        while (calls < MIN_CALLS || performance.now() - start < SLICE_MS) {
          const t = performance.now();
          await c.runtime.predict(batch);
          const dt = performance.now() - t;
          times.push(dt);
          busy += dt;
          calls++;
        }
        latencies.set(id, times);
        rates.set(id, [...(rates.get(id) ?? []), (calls * b) / (busy / 1000)]);
      }
      progress('inference', `round ${r + 1} ${c.key}`, {
        b256SeqPerSec: Math.round((rates.get(`${c.key}|256`) ?? []).at(-1) ?? 0),
      });
    }
  }
  for (const c of contenders) {
    const entry = result[c.key] as Record<string, unknown>;
    for (const b of BATCH_SIZES) {
      const s = spread(rates.get(`${c.key}|${b}`) ?? []);
      const times = latencies.get(`${c.key}|${b}`) ?? [];
      entry[`b${b}`] = {
        seqPerSec: round(s.median),
        p50Ms: round(percentile(times, 50)),
        p99Ms: round(percentile(times, 99)),
        spread: {
          seqPerSec: { median: round(s.median), min: round(s.min), max: round(s.max), runs: s.runs },
        },
        calls: times.length,
      };
    }
    c.runtime.dispose();
  }
  for (const [key, ok] of Object.entries(available)) {
    if (!ok) {
      result[key] = {
        maxAbsDiff: null,
        ...Object.fromEntries(
          BATCH_SIZES.map((b) => [`b${b}`, { seqPerSec: null, p50Ms: null, p99Ms: null }]),
        ),
      };
    }
  }
  notes.push(
    `model: LSTM(${DEFAULT_RISK_MODEL_SIZE.lstmUnits}) over ${shape.seqLen} x ${shape.marketWidth}, macro ${shape.macroWidth}, sentiment ${shape.sentimentWidth}; ${runs} rounds of >= ${SLICE_MS} ms per batch size; tfjs ${tf.version.tfjs}`,
  );
  return { figure: result, notes };
});
