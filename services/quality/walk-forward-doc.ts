import { z } from 'zod';

/** walk-forward-folds.ts's JSON (the part the document uses). */
const intervalSchema = z.object({ rocAuc: z.number(), low: z.number(), high: z.number() });
export const walkForwardSchema = z.object({
  symbols: z.array(z.string()),
  unseenSymbols: z.array(z.string()),
  folds: z.array(
    z.object({
      bundle: z.string(),
      boundaries: z.record(z.string(), z.string()),
      period: z.tuple([z.string(), z.string()]),
      n: z.number(),
      events: z.number(),
      trainSamples: z.number().nullable(),
      rocAuc: z.record(z.string(), z.number().nullable()),
      var99: z.object({ exceedanceRate: z.number(), baselZone: z.string() }),
    }),
  ),
  pooled: z.object({
    n: z.number(),
    events: z.number(),
    period: z.tuple([z.string(), z.string()]),
    rocAuc: z.record(z.string(), z.number().nullable()),
    aucIntervals: z.object({
      scorers: z.record(z.string(), intervalSchema),
      differences: z.record(z.string(), intervalSchema.extend({ shareNotAbove: z.number().nullable() })),
    }),
    var99: z.object({
      exceedanceRate: z.number(),
      kupiecP: z.number(),
      baselZone: z.string(),
    }),
    var95: z.object({ exceedanceRate: z.number(), kupiecP: z.number() }),
  }),
  seconds: z.number(),
});
export type WalkForwardJson = z.infer<typeof walkForwardSchema>;

export interface WalkForwardRun {
  title: string;
  result: WalkForwardJson;
  command: string;
}

const f3 = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(3));
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const BASELINES = ['ewmaVol', 'logistic', 'forest'] as const;

/** The pooled verdict: the model against the best baseline, with the interval of the difference. */
export function walkForwardVerdict(result: WalkForwardJson, clearMargin: number): string {
  const { pooled } = result;
  const model = pooled.rocAuc.model ?? Number.NaN;
  const [bestName, best] = BASELINES.map((b) => [b, pooled.rocAuc[b] ?? Number.NaN] as const).reduce(
    (a, b) => (b[1] > a[1] ? b : a),
  );
  const diff = pooled.aucIntervals.differences[bestName];
  const lead = model - best;
  const interval = diff ? ` (95% interval [${f3(diff.low)}, ${f3(diff.high)}])` : '';
  const zone = `VaR99 is in the ${pooled.var99.baselZone.toUpperCase()} zone over the whole span (${pct(pooled.var99.exceedanceRate)} exceedances against 1%, Kupiec p ${pooled.var99.kupiecP.toPrecision(2)})`;
  const yellowFolds = result.folds.filter((f) => f.var99.baselZone !== 'green');
  const foldZones =
    yellowFolds.length > 0
      ? `, but not in every fold: ${yellowFolds.map((f) => `${f.period[0]} .. ${f.period[1]} ${f.var99.baselZone} (${pct(f.var99.exceedanceRate)})`).join('; ')}`
      : ', and in every fold';
  const ranking =
    lead >= clearMargin && diff !== undefined && diff.low > 0
      ? `the model beats the best baseline (${bestName} ${f3(best)}) by ${f3(lead)}${interval}, a clear margin`
      : lead > 0
        ? `the model leads the best baseline (${bestName} ${f3(best)}) by only ${f3(lead)}${interval}: NOT a clear margin`
        : `the model does NOT beat the best baseline (${bestName} ${f3(best)}; ${f3(lead)}${interval})`;
  return `Pooled ROC-AUC ${f3(model)}: ${ranking}. ${zone}${foldZones}.`;
}

export function walkForwardSection(runs: readonly WalkForwardRun[], clearMargin: number): string[] {
  if (runs.length === 0) return [];
  const first = runs[0]?.result;
  const lines = [
    '## Walk-forward over yearly folds',
    '',
    'The single bundle above is judged on one period of 9 months (a dozen episodes on the held-out',
    'tickers). A walk-forward asks the question over a longer span: the `make train` configuration',
    '(same data, held-out tickers, seed and budget) is trained again with the split moved one year',
    "and then two years earlier (`train --validation-start A --test-start B`; each fold's 9-month",
    'validation period drives its early stopping and calibration, as for the bundle), and each fold',
    "scores only its own year, from its test start to the next fold's, with the baselines refitted",
    'on data before that start. The last fold is the committed bundle. Pooled ROC-AUCs count only',
    "pairs within a fold (each fold's model is compared with itself; services/quality/pooled-folds.ts),",
    'for the model and the baselines alike; intervals are block bootstraps whose blocks stay within a',
    'fold and a ticker. The fold boundaries were fixed before any fold was trained; nothing is tuned.',
    '`make quality` trains the fold bundles once into .run/quality/folds/ (services/quality/quality.sh:',
    "`risk-monitor train` with `make train`'s arguments plus `--validation-start`, `--test-start` and",
    "`--anomaly-epochs 1`, the folds' anomaly forecasters not being evaluated) and reuses them after.",
    '',
    `Folds: ${(first?.folds ?? [])
      .map(
        (f) =>
          `**${f.bundle}** (validation ${f.boundaries.validationStart?.slice(0, 10)}, test ${f.boundaries.testStart?.slice(0, 10)}${f.trainSamples !== null ? `, ${f.trainSamples} training samples` : ''})`,
      )
      .join(', ')}.`,
    '',
  ];
  for (const run of runs) {
    const { result } = run;
    const p = result.pooled;
    lines.push(
      `### ${run.title}`,
      '',
      `Tickers (${result.symbols.length}): ${result.symbols.join(', ')}; never seen in training: ${result.unseenSymbols.length > 0 ? result.unseenSymbols.join(', ') : 'none'}. Span ${p.period[0]} .. ${p.period[1]}, **n = ${p.n}** scored sequences, ${p.events} event labels.`,
      '',
      `**Verdict.** ${walkForwardVerdict(result, clearMargin)}`,
      '',
      '| segment (fold) | n | events | model | ewmaVol | logistic | forest | VaR99 exceedances | VaR99 zone |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...result.folds.map(
        (f) =>
          `| ${f.period[0]} .. ${f.period[1]} (${f.bundle}) | ${f.n} | ${f.events} | ${f3(f.rocAuc.model)} | ${f3(f.rocAuc.ewmaVol)} | ${f3(f.rocAuc.logistic)} | ${f3(f.rocAuc.forest)} | ${pct(f.var99.exceedanceRate)} | ${f.var99.baselZone} |`,
      ),
      `| **pooled** (within-fold pairs) | ${p.n} | ${p.events} | **${f3(p.rocAuc.model)}** | ${f3(p.rocAuc.ewmaVol)} | ${f3(p.rocAuc.logistic)} | ${f3(p.rocAuc.forest)} | ${pct(p.var99.exceedanceRate)} | ${p.var99.baselZone} |`,
      '',
      `Pooled ROC-AUC 95% intervals: ${Object.entries(p.aucIntervals.scorers)
        .map(([k, v]) => `${k} [${f3(v.low)}, ${f3(v.high)}]`)
        .join(', ')}. Model minus baseline: ${Object.entries(p.aucIntervals.differences)
        .map(
          ([k, v]) =>
            `${k} ${f3(v.rocAuc)} [${f3(v.low)}, ${f3(v.high)}]${v.shareNotAbove !== null ? ` (model not ahead in ${(100 * v.shareNotAbove).toFixed(1)}% of resamples)` : ''}`,
        )
        .join(
          '; ',
        )}. VaR95 pooled: ${pct(p.var95.exceedanceRate)} against 5% (Kupiec p ${p.var95.kupiecP.toPrecision(2)}).`,
      '',
      'Reproduce:',
      '',
      `    ${run.command}`,
      '',
    );
  }
  return lines;
}
