import { z } from 'zod';

export const scorerConfig = z
  .object({
    /** Features listed in an alert's explanation. */
    explanationTopK: z.number().int().positive().default(5),
    /** Quiet period per symbol and alert type after an alert, in bars (event time); escalations pass. */
    cooldownBars: z.number().int().nonnegative().default(3),
    /** Alerts of one type from at least this many symbols in the same bar become one market-wide alert. */
    groupMinSymbols: z.number().int().min(2).default(5),
    /** Wall-clock wait for the other symbols of a bar before its alerts go out. */
    groupHoldMs: z.number().int().nonnegative().default(250),
    /** Flag a realised return beyond the previous bar's one-bar VaR99. */
    varBreachAlerts: z.boolean().default(true),
    /**
     * Step of the adaptive VaR scale (services/models/risk/adaptive-var-scale.ts): the served VaR
     * and ES follow the exceedances seen so far. 0 serves the model's quantiles unchanged.
     */
    varAdaptationGamma: z.number().min(0).max(1).default(0.02),
    /**
     * Anomaly score levels per severity. The score is 0.5 where the smoothed error meets the
     * dynamic threshold (docs/anomaly.md), so INFO starts there.
     */
    anomalyInfo: z.number().min(0).max(1).default(0.5),
    anomalyWarning: z.number().min(0).max(1).default(0.7),
    anomalyCritical: z.number().min(0).max(1).default(0.9),
    /** Exit level = enter level x this (hysteresis) for anomaly severities. */
    anomalyHysteresis: z.number().gt(0).max(1).default(0.8),
    /** Alert ids remembered for replay de-duplication. */
    dedupeCapacity: z.number().int().positive().default(100_000),
  })
  .prefault({})
  .superRefine((c, ctx) => {
    if (!(c.anomalyInfo <= c.anomalyWarning && c.anomalyWarning <= c.anomalyCritical)) {
      ctx.addIssue({
        code: 'custom',
        path: ['anomalyWarning'],
        message: 'anomaly levels must ascend: anomalyInfo <= anomalyWarning <= anomalyCritical',
      });
    }
  });

export type ScorerConfig = z.infer<typeof scorerConfig>;
