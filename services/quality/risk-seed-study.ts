/**
 * Seed study of the risk model: the same `make train` configuration trained with several seeds,
 * each bundle and their mean (EnsembleRiskRuntime) evaluated walk-forward exactly as
 * `evaluate risk` does, on one period. The features are replayed once for all of them.
 *
 * The order of use matters and is the point of the `--period` flag: run it on `validation` first
 * and decide from that (the rule is written in quality-notes.md before the run); run `test` only
 * to report what was decided, never to choose.
 *
 *   npx tsx services/quality/risk-seed-study.ts --period validation --symbols AMZN,BAC,CVX,KO,PFE,WMT \
 *     --out .run/seeds/validation-holdout.json BUNDLE_DIR...
 *
 * Progress goes to stderr as JSON lines.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensembleMismatch } from '../models/risk/bundle-mismatch.js';
import { loadRiskBundle, type RiskBundle } from '../models/risk/risk-bundle.js';
import { EnsembleRiskRuntime } from '../models/runtime/ensemble-risk-runtime.js';
import type { RiskRuntime } from '../models/runtime/risk-runtime.js';
import { selectTfBackend } from '../models/runtime/tf-backend.js';
import { createTfjsRiskRuntime } from '../models/runtime/tfjs-risk-runtime.js';
import { buildFeatureHistory } from '../pipeline/feature-history.js';
import { PACKAGE_ROOT } from '../shared/project-paths.js';
import { type EvaluationPeriod, evaluateRisk, type RiskEvaluation } from './evaluate-risk.js';

const log = (o: object) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...o })}\n`);

interface StudyRow {
  scorer: string;
  members: string[];
  rocAuc: number;
  rocAucInterval: [number, number];
  prAuc: number;
  brier: number;
  bestBaseline: string;
  bestBaselineRocAuc: number;
  /** Model minus the best baseline, with its block-bootstrap interval. */
  lead: number;
  leadInterval: [number, number];
  var99ExceedanceRate: number;
  var99Zone: string;
  var95ExceedanceRate: number;
}

function row(scorer: string, members: string[], e: RiskEvaluation): StudyRow {
  const baselines = Object.entries(e.report.baselines);
  const [bestName, best] = baselines.reduce((a, b) => (b[1].rocAuc > a[1].rocAuc ? b : a));
  const interval = e.details.aucIntervals.scorers.model;
  const diff = e.details.aucIntervals.differences[bestName];
  return {
    scorer,
    members,
    rocAuc: e.report.model.rocAuc,
    rocAucInterval: [interval?.low ?? Number.NaN, interval?.high ?? Number.NaN],
    prAuc: e.report.model.prAuc,
    brier: e.report.model.brier,
    bestBaseline: bestName,
    bestBaselineRocAuc: best.rocAuc,
    lead: e.report.model.rocAuc - best.rocAuc,
    leadInterval: [diff?.low ?? Number.NaN, diff?.high ?? Number.NaN],
    var99ExceedanceRate: e.report.var.var99.exceedanceRate,
    var99Zone: e.report.var.var99.baselZone,
    var95ExceedanceRate: e.report.var.var95.exceedanceRate,
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      period: { type: 'string', default: 'validation' },
      symbols: { type: 'string' },
      out: { type: 'string' },
      data: { type: 'string', default: join(PACKAGE_ROOT, 'services/demo/data') },
    },
  });
  const period = values.period as EvaluationPeriod;
  if (period !== 'validation' && period !== 'test') {
    throw new Error(`--period: expected validation or test, got ${JSON.stringify(values.period)}`);
  }
  if (values.out === undefined) throw new Error('--out: expected the JSON file to write, got none');
  if (positionals.length < 2) {
    throw new Error(`expected at least two bundle directories, got ${positionals.length}`);
  }
  await selectTfBackend('auto');
  const bundles: RiskBundle[] = [];
  for (const dir of positionals) bundles.push(await loadRiskBundle(dir, null));
  for (const [i, b] of bundles.entries()) {
    const mismatch = ensembleMismatch(bundles[0] as RiskBundle, b);
    if (mismatch !== null) throw new Error(`${positionals[i]} differs from ${positionals[0]} in ${mismatch}`);
  }
  const data = values.data;
  const symbols = values.symbols?.split(',').map((s) => s.trim().toUpperCase());
  const started = Date.now();
  const history = await buildFeatureHistory({
    pricesDir: join(data, 'market/daily'),
    macroDir: join(data, 'macro'),
    newsFiles: [
      join(data, 'news/twitter-financial-news-train.csv'),
      join(data, 'news/twitter-financial-news-valid.csv'),
    ],
    ...(symbols ? { symbols } : {}),
  });
  log({ kind: 'features', seconds: (Date.now() - started) / 1000 });

  const first = bundles[0] as RiskBundle;
  const evaluate = (runtime: RiskRuntime) =>
    evaluateRisk(
      history.bars,
      { metadata: first.metadata, scaler: first.scaler, calibration: first.calibration, runtime },
      { period, forest: { seed: 42 } },
    );
  const rows: StudyRow[] = [];
  // One runtime per bundle, shared by its single run and the ensemble (disposing frees the model).
  const runtimes = bundles.map((b) => createTfjsRiskRuntime(b));
  for (const [i, b] of bundles.entries()) {
    const e = await evaluate(runtimes[i] as RiskRuntime);
    rows.push(row(`seed ${b.metadata.seed}`, [b.metadata.version], e));
    log({ kind: 'scored', ...rows.at(-1) });
  }
  const ensemble = new EnsembleRiskRuntime(runtimes);
  const e = await evaluate(ensemble);
  ensemble.dispose();
  rows.push(
    row(
      `mean of ${bundles.length}`,
      bundles.map((b) => b.metadata.version),
      e,
    ),
  );
  log({ kind: 'scored', ...rows.at(-1) });
  const singles = rows.slice(0, -1).map((r) => r.rocAuc);
  const result = {
    period,
    periodDates: e.report.period,
    n: e.report.n,
    events: e.details.evaluationEvents,
    symbols: e.details.symbols,
    rows,
    singleSeeds: {
      meanRocAuc: singles.reduce((a, b) => a + b, 0) / singles.length,
      minRocAuc: Math.min(...singles),
      maxRocAuc: Math.max(...singles),
    },
    seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  log({ kind: 'done', out: values.out, seconds: result.seconds });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
