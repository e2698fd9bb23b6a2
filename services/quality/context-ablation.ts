/**
 * A diagnostic, not a model change: scores risk bundles on a period as they are and with some input
 * groups replaced by their training mean (a scaled 0), to see which inputs carry a period's
 * ranking. The bundles are not refitted; the baselines are those of `evaluate risk`.
 *
 *   npx tsx services/quality/context-ablation.ts --prices DIR --macro DIR [--news FILE...]
 *     [--symbols A,B] [--period test|validation] [--until DATE] --out FILE BUNDLE_DIR...
 *
 * Each bundle scores its own period (as walk-forward-folds: from its test start to the next
 * bundle's, the last to --until or the end of the data). Progress goes to stderr as JSON lines.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { RiskRuntime } from '../models/runtime/risk-runtime.js';
import { selectTfBackend } from '../models/runtime/tf-backend.js';
import { createTfjsRiskRuntime } from '../models/runtime/tfjs-risk-runtime.js';
import type { SequenceBatch } from '../shared/contracts/sequence-batch.js';
import { EVALUATION_PERIODS, type EvaluationPeriod, evaluateRisk } from './evaluate-risk.js';
import { FOLD_SCRIPT_OPTIONS, foldScriptArgs, loadFoldBundles, segmentEnd } from './fold-script-args.js';

type Group = 'market' | 'macro' | 'sentiment';
const ABLATIONS: readonly (readonly Group[])[] = [[], ['macro'], ['sentiment'], ['macro', 'sentiment']];

const log = (o: object) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...o })}\n`);

/** The runtime with `groups` set to the training mean (0 after scaling) in every batch. */
function withoutGroups(runtime: RiskRuntime, groups: readonly Group[]): RiskRuntime {
  const blank = (batch: SequenceBatch): SequenceBatch => {
    const out = { ...batch };
    for (const g of groups) out[g] = new Float32Array(batch[g].length);
    return out;
  };
  return {
    name: runtime.name,
    modelVersion: runtime.modelVersion,
    predict: (batch) => runtime.predict(blank(batch)),
    explainEvent: (batch, rows, topK) => runtime.explainEvent(blank(batch), rows, topK),
    dispose: () => undefined,
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { ...FOLD_SCRIPT_OPTIONS, period: { type: 'string', default: 'test' } },
  });
  const args = foldScriptArgs(values);
  if (positionals.length === 0) throw new Error('expected at least one bundle directory, got none');
  const period = values.period as EvaluationPeriod;
  if (!EVALUATION_PERIODS.includes(period)) {
    throw new Error(`--period: expected one of ${EVALUATION_PERIODS.join(', ')}, got ${values.period}`);
  }
  await selectTfBackend('auto');
  const bundles = await loadFoldBundles(positionals);
  const history = await args.readHistory();
  const rows = [];
  for (const [i, { dir, bundle }] of bundles.entries()) {
    const next = segmentEnd(bundles, i, args.until);
    const runtime = createTfjsRiskRuntime(bundle);
    try {
      for (const groups of ABLATIONS) {
        const e = await evaluateRisk(
          history.bars,
          {
            metadata: bundle.metadata,
            scaler: bundle.scaler,
            calibration: bundle.calibration,
            runtime: withoutGroups(runtime, groups),
          },
          {
            period,
            forest: { seed: 42 },
            ...(period === 'test' && next !== undefined ? { testUntil: next } : {}),
          },
        );
        const row = {
          bundle: bundle.metadata.version,
          bundleDir: dir,
          period: e.report.period,
          n: e.report.n,
          events: e.details.evaluationEvents,
          meanInputs: groups,
          rocAuc: e.report.model.rocAuc,
          prAuc: e.report.model.prAuc,
          interval: e.details.aucIntervals.scorers.model,
          baselines: Object.fromEntries(Object.entries(e.report.baselines).map(([k, v]) => [k, v.rocAuc])),
        };
        rows.push(row);
        log({ kind: 'ablation', ...row });
      }
    } finally {
      runtime.dispose();
    }
  }
  writeFileSync(args.out, `${JSON.stringify({ symbols: args.symbols ?? 'all', period, rows }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
