import { z } from 'zod';

/** Numbers that may be undefined (NaN written as null). */
const metric = z.number().nullable();
const factsSchema = z
  .object({
    samples: z.number().int(),
    excessKurtosis: metric,
    maxAbsReturnAcf: metric,
    absReturnAcf: z.array(metric),
    passed: z.boolean(),
  })
  .nullable();

/** .run/quality/gan.json, written by services/quality/gan-quality.ts. */
export const ganQualitySchema = z.object({
  generatedAt: z.string(),
  command: z.string(),
  backend: z.string(),
  symbols: z.array(z.string()),
  seqLen: z.number().int(),
  trainWindows: z.number().int(),
  trainPositives: z.number(),
  validationWindows: z.number().int(),
  validationPeriod: z.tuple([z.string(), z.string()]),
  steps: z.number().int(),
  seconds: z.number(),
  seed: z.number().int(),
  settings: z.object({
    batchSize: z.number().int(),
    units: z.number().int(),
    noiseDim: z.number().int(),
    context: z.number().int(),
    burnIn: z.number().int(),
    factPaths: z.number().int(),
    factBars: z.number().int(),
  }),
  columns: z.array(
    z.object({
      feature: z.string(),
      role: z.enum(['garch', 'ewma', 'constant', 'free']),
      /** Learned smoothing rate of a free column. */
      smoothing: z.number().optional(),
    }),
  ),
  garch: z
    .array(z.object({ label: z.number(), omega: z.number(), alpha: z.number(), beta: z.number() }))
    .nullable(),
  realFacts: factsSchema,
  realValidationFacts: factsSchema,
  generatedFacts: factsSchema,
  discriminative: z.object({
    accuracy: z.number(),
    auc: metric,
    heldOut: z.number().int(),
    byFeature: z.record(z.string(), z.number()),
  }),
  tstr: z.object({ tstrAuc: metric, trtrAuc: metric }),
  verdict: z.object({ passed: z.boolean(), reasons: z.array(z.string()) }),
});
export type GanQualityJson = z.infer<typeof ganQualitySchema>;

const f3 = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(3));
const LAGS = [1, 2, 3, 5, 10];

/** The "GAN augmentation" section of docs/quality.md: stylized facts, discriminative score, TSTR. */
export function renderGanSection(gan: GanQualityJson): string[] {
  const facts = [
    ['real, train period', gan.realFacts],
    ['real, validation period', gan.realValidationFacts],
    [`GAN (${gan.settings.factPaths} paths x ${gan.settings.factBars} bars)`, gan.generatedFacts],
  ] as const;
  const byFeature = Object.entries(gan.discriminative.byFeature);
  const role = (feature: string) => gan.columns.find((c) => c.feature === feature)?.role ?? '?';
  return [
    '## GAN augmentation: synthetic windows judged before use',
    '',
    `The retrainer's conditional GAN (docs/retrainer.md) trained at the configured size with seed ${gan.seed}: ${gan.steps} steps, batch ${gan.settings.batchSize}, ${gan.settings.units} units, noise ${gan.settings.noiseDim} x context ${gan.settings.context}, burn-in ${gan.settings.burnIn}, in **${gan.seconds.toFixed(0)} s** on tfjs ${gan.backend}. Data: ${gan.symbols.join(', ')}, L = ${gan.seqLen}; ${gan.trainWindows} train windows (${gan.trainPositives} positive) to learn from, judged on the ${gan.validationWindows} validation windows (${gan.validationPeriod[0].slice(0, 10)} .. ${gan.validationPeriod[1].slice(0, 10)}) the GAN never saw; the held-out period after it is not read.`,
    '',
    `Columns: ${gan.columns
      .map(
        (c) => `${c.feature} (${c.role}${c.smoothing === undefined ? '' : `, smoothing ${f3(c.smoothing)}`})`,
      )
      .join(', ')}.${
      gan.garch
        ? ` Learned GARCH(1,1) of the scaled return: ${gan.garch
            .map(
              (g) =>
                `label ${g.label}: omega ${f3(g.omega)}, alpha ${f3(g.alpha)}, beta ${f3(g.beta)} (persistence ${f3(g.alpha + g.beta)})`,
            )
            .join('; ')}.`
        : ''
    }`,
    '',
    `**Verdict: ${gan.verdict.passed ? 'passes every check (the cycle may use it)' : 'fails (the cycle does not use it)'}.**${
      gan.verdict.reasons.length > 0 ? ` ${gan.verdict.reasons.join('; ')}.` : ''
    }`,
    '',
    `| returns | n | excess kurtosis | max \\|acf(r)\\| lags 1-10 | ${LAGS.map((k) => `acf(\\|r\\|) ${k}`).join(' | ')} | facts hold |`,
    `| --- | ---: | ---: | ---: | ${LAGS.map(() => '---:').join(' | ')} | --- |`,
    ...facts.map(([name, f]) =>
      f === null
        ? `| ${name} | n/a | | | ${LAGS.map(() => '').join(' | ')} | |`
        : `| ${name} | ${f.samples} | ${f3(f.excessKurtosis)} | ${f3(f.maxAbsReturnAcf)} | ${LAGS.map((k) => f3(f.absReturnAcf[k - 1])).join(' | ')} | ${f.passed ? 'yes' : 'no'} |`,
    ),
    '',
    '| check | value | reference |',
    '| --- | ---: | --- |',
    `| discriminative accuracy (held out, ${gan.discriminative.heldOut} windows per class) | ${f3(gan.discriminative.accuracy)} | 0.5 = indistinguishable |`,
    `| discriminative ROC-AUC | ${f3(gan.discriminative.auc)} | 0.5 |`,
    `| TSTR ROC-AUC (fitted on synthetic, tested on real validation) | ${f3(gan.tstr.tstrAuc)} | TRTR (fitted on real train) ${f3(gan.tstr.trtrAuc)} |`,
    '',
    `Which columns give the synthetic windows away (the same classifier on one feature's summaries): ${byFeature
      .map(([feature, acc]) => `${feature} (${role(feature)}) ${f3(acc)}`)
      .join(', ')}.`,
    '',
    'Reproduce:',
    '',
    `    ${gan.command}`,
    '',
  ];
}
