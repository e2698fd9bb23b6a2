/**
 * The GAN figures of docs/quality.md: trains the retrainer's conditional GAN at the configured
 * (default) size with a fixed seed on real bars and writes its quality checks as JSON:
 *   tsx services/quality/gan-quality.ts --prices DIR --macro DIR --out .run/quality/gan.json \
 *     [--symbols AAPL,JPM,XOM,KO,GE,BAC] [--seq-len 32] [--steps N] [--seed 42] [--config FILE]
 * Split 70 / 15 / 15 by time as a retrain cycle's: the GAN learns from the train split and is
 * judged on the validation split; the last 15% (the cycle's held-out period) is never read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { judgeGan } from '../models/gan/gan-augmentation.js';
import { trainGan, windowsOf } from '../models/gan/gan-training.js';
import { type StylizedFacts, stylizedFacts } from '../models/gan/stylized-facts.js';
import { buildRiskDataset } from '../models/risk/risk-dataset.js';
import { DEFAULT_RISK_LABEL_PARAMS } from '../models/risk/risk-labels.js';
import { selectTfBackend } from '../models/runtime/tf-backend.js';
import { createProgressReporter } from '../models/training/progress-reporter.js';
import { loadTrainingData } from '../models/training-data.js';
import { loadConfig } from '../shared/config/load-config.js';
import type { GanQualityJson } from './gan-quality-doc.js';

const VALIDATION_FRACTION = 0.15;
const HELD_OUT_FRACTION = 0.15;

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n > 0))
    throw new Error(`--${name}: expected a positive integer, got ${value}`);
  return n;
}

function facts(f: StylizedFacts | null): GanQualityJson['realFacts'] {
  if (f === null) return null;
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    samples: f.samples,
    excessKurtosis: finite(f.excessKurtosis),
    maxAbsReturnAcf: finite(f.maxAbsReturnAcf),
    absReturnAcf: f.absReturnAcf.map(finite),
    passed: f.passed,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      prices: { type: 'string' },
      macro: { type: 'string' },
      out: { type: 'string', default: '.run/quality/gan.json' },
      symbols: { type: 'string', default: 'AAPL,JPM,XOM,KO,GE,BAC' },
      'seq-len': { type: 'string', default: '32' },
      steps: { type: 'string' },
      seed: { type: 'string' },
      config: { type: 'string' },
      /** Ablation: every column generated freely, no GARCH (the first version of the GAN). */
      unstructured: { type: 'boolean', default: false },
    },
  });
  if (values.prices === undefined || values.macro === undefined)
    throw new Error('--prices and --macro are required (directories of the shared data)');
  const config = loadConfig(values.config ? { file: values.config } : {});
  const r = config.retrainer;
  const seqLen = positiveInt('seq-len', values['seq-len']);
  const steps = values.steps === undefined ? r.ganSteps : positiveInt('steps', values.steps);
  const seed = values.seed === undefined ? r.seed : positiveInt('seed', values.seed);
  const symbols = values.symbols
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const backend = await selectTfBackend(config.models.backend);

  const data = await loadTrainingData({ pricesDir: values.prices, macroDir: values.macro, symbols });
  const dataset = buildRiskDataset(data.series, {
    seqLen,
    labels: DEFAULT_RISK_LABEL_PARAMS,
    features: data.features,
    split: {
      trainFraction: 1 - VALIDATION_FRACTION - HELD_OUT_FRACTION,
      validationFraction: VALIDATION_FRACTION,
    },
  });
  const settings = {
    gan: {
      steps,
      batchSize: r.ganBatchSize,
      units: r.ganUnits,
      noiseDim: r.ganNoiseDim,
      context: r.ganContext,
      learningRate: r.ganLearningRate,
      ewmaLambda: config.ingest.ewmaLambda,
      structured: !values.unstructured,
    },
    syntheticRatio: r.syntheticRatio,
    factPaths: r.ganFactPaths,
    factBars: r.ganFactBars,
    thresholds: {
      requireStylizedFacts: r.ganRequireStylizedFacts,
      maxDiscriminativeAccuracy: r.ganMaxDiscriminativeAccuracy,
      minTstrAuc: r.ganMinTstrAuc,
    },
    seed,
  };
  const reporter = createProgressReporter({
    tty: process.stderr.isTTY === true,
    write: (s) => process.stderr.write(s),
  });
  let gan: Awaited<ReturnType<typeof trainGan>>;
  try {
    gan = await trainGan(
      windowsOf(dataset.train, dataset.scaler.market),
      { ...settings.gan, seed },
      reporter.onProgress,
    );
  } finally {
    reporter.close();
  }
  try {
    const q = judgeGan(gan, dataset, data.series, settings);
    const { validationStart, testStart } = dataset.boundaries;
    const validationFacts = stylizedFacts(
      data.series.map((s) =>
        s.bars
          .filter((b) => b.bar.barEnd >= validationStart && b.bar.barEnd < testStart)
          .map((b) => b.bar.logReturn),
      ),
    );
    let positives = 0;
    for (const e of dataset.train.event) positives += e;
    const names = dataset.scaler.market.names;
    const rates = gan.generator.smoothingRates();
    const out: GanQualityJson = {
      generatedAt: new Date().toISOString(),
      command: `tsx services/quality/gan-quality.ts --prices ${values.prices} --macro ${values.macro} --symbols ${symbols.join(',')} --seq-len ${seqLen} --steps ${steps} --seed ${seed}${values.unstructured ? ' --unstructured' : ''}`,
      backend: backend.active,
      symbols,
      seqLen,
      trainWindows: dataset.train.size,
      trainPositives: positives,
      validationWindows: dataset.validation.size,
      validationPeriod: [new Date(validationStart).toISOString(), new Date(testStart).toISOString()],
      steps: q.ganSteps,
      seconds: q.ganSeconds,
      seed,
      settings: {
        batchSize: r.ganBatchSize,
        units: r.ganUnits,
        noiseDim: r.ganNoiseDim,
        context: r.ganContext,
        burnIn: gan.spec.burnIn,
        factPaths: r.ganFactPaths,
        factBars: r.ganFactBars,
      },
      columns: gan.spec.columns.map((c, j) => ({
        feature: names[j] as string,
        role: c.kind,
        ...(c.kind === 'free' ? { smoothing: rates[j] as number } : {}),
      })),
      garch: gan.generator.garchSummary(),
      realFacts: facts(q.realFacts),
      realValidationFacts: facts(validationFacts),
      generatedFacts: facts(q.generatedFacts),
      discriminative: {
        accuracy: q.discriminative.accuracy,
        auc: q.discriminative.auc,
        heldOut: q.discriminative.heldOut,
        byFeature: Object.fromEntries(q.discriminative.byFeature.map((a, j) => [names[j] as string, a])),
      },
      tstr: {
        tstrAuc: Number.isFinite(q.tstr.tstrAuc) ? q.tstr.tstrAuc : null,
        trtrAuc: Number.isFinite(q.tstr.trtrAuc) ? q.tstr.trtrAuc : null,
      },
      verdict: q.verdict,
    };
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, `${JSON.stringify(out, null, 2)}\n`);
    process.stderr.write(`wrote ${values.out}\n`);
  } finally {
    gan.generator.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`gan-quality: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
