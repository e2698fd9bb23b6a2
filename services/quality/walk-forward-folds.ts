/**
 * Expanding-window walk-forward of the risk model over several folds (pooled-folds.ts): bundles
 * trained like `make train` but with earlier split boundaries (`train --validation-start A
 * --test-start B`), each scoring its own segment from its test start to the next fold's, with
 * baselines refitted before each start. Writes per-fold and pooled figures as JSON; make quality
 * renders them (quality-doc.ts).
 *
 *   npx tsx services/quality/walk-forward-folds.ts --prices DIR --macro DIR [--news FILE...]
 *     [--symbols A,B] [--until DATE] --out FILE BUNDLE_DIR...
 *
 * --until ends the last fold's segment (default: the end of the data), so folds trained for a
 * decision can be scored on their own years without reaching a later test period.
 *
 * Progress goes to stderr as JSON lines.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { foldMismatch } from '../models/risk/bundle-mismatch.js';
import { selectTfBackend } from '../models/runtime/tf-backend.js';
import { createTfjsRiskRuntime } from '../models/runtime/tfjs-risk-runtime.js';
import { evaluateRisk, type RiskEvaluation } from './evaluate-risk.js';
import { FOLD_SCRIPT_OPTIONS, foldScriptArgs, loadFoldBundles, segmentEnd } from './fold-script-args.js';
import { poolFolds } from './pooled-folds.js';

const log = (o: object) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...o })}\n`);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: FOLD_SCRIPT_OPTIONS,
  });
  const args = foldScriptArgs(values);
  if (positionals.length < 2)
    throw new Error(`expected at least two fold bundles, got ${positionals.length}`);
  await selectTfBackend('auto');
  const bundles = await loadFoldBundles(positionals);
  for (const [i, b] of bundles.entries()) {
    const first = bundles[0] as (typeof bundles)[number];
    const mismatch = foldMismatch(first.bundle, b.bundle);
    if (mismatch !== null) throw new Error(`${b.dir} is not a fold of ${first.dir}: differs in ${mismatch}`);
    if (i > 0 && b.testStart === bundles[i - 1]?.testStart) {
      throw new Error(`${b.dir} and ${bundles[i - 1]?.dir} have the same test start`);
    }
  }
  const started = Date.now();
  const history = await args.readHistory();
  log({ kind: 'features', seconds: (Date.now() - started) / 1000 });
  const evaluations: RiskEvaluation[] = [];
  const folds = [];
  for (const [i, { dir, bundle, testStart }] of bundles.entries()) {
    const next = segmentEnd(bundles, i, args.until);
    const runtime = createTfjsRiskRuntime(bundle);
    try {
      const e = await evaluateRisk(
        history.bars,
        { metadata: bundle.metadata, scaler: bundle.scaler, calibration: bundle.calibration, runtime },
        { period: 'test', forest: { seed: 42 }, ...(next !== undefined ? { testUntil: next } : {}) },
      );
      evaluations.push(e);
      const fold = {
        bundle: bundle.metadata.version,
        bundleDir: dir,
        boundaries: bundle.metadata.data.boundaries,
        testStart: new Date(testStart).toISOString(),
        period: e.report.period,
        n: e.report.n,
        events: e.details.evaluationEvents,
        trainSamples: bundle.metadata.data.samples.train ?? null,
        rocAuc: {
          model: e.report.model.rocAuc,
          ...Object.fromEntries(Object.entries(e.report.baselines).map(([k, v]) => [k, v.rocAuc])),
        },
        modelInterval: e.details.aucIntervals.scorers.model,
        differences: e.details.aucIntervals.differences,
        var99: e.report.var.var99,
      };
      folds.push(fold);
      log({ kind: 'fold', ...fold, differences: undefined });
    } finally {
      runtime.dispose();
    }
  }
  const pooled = poolFolds(evaluations);
  const result = {
    symbols: evaluations[0]?.details.symbols ?? [],
    unseenSymbols: evaluations[0]?.details.unseenSymbols ?? [],
    folds,
    pooled,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
  log({
    kind: 'done',
    out: args.out,
    seconds: result.seconds,
    pooled: { ...pooled, aucIntervals: undefined },
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
