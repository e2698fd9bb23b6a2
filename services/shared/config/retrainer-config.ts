import { z } from 'zod';
import { cronProblem } from './cron-expression.js';

/** The retraining sidecar (services/retrainer, docs/retrainer.md). */
export const retrainerConfig = z
  .object({
    /** Retrain at least this often, wall clock ms (0 = only on drift). Default one day. */
    intervalMs: z.number().int().nonnegative().default(86_400_000),
    /**
     * Scheduled cycles on this cron expression (5 fields, or 6 with seconds; e.g. "0 3 * * 1-5")
     * instead of intervalMs. Unset: the interval.
     */
    cron: z.string().trim().min(1).optional(),
    /** IANA time zone the cron expression is read in. */
    cronTimezone: z.string().default('UTC'),
    /** How often recent inputs are compared with the champion's training distribution. Default one hour. */
    driftCheckMs: z.number().int().positive().default(3_600_000),
    /** PSI at or above this on any input feature or the score is worth a warning. */
    psiWarn: z.number().positive().default(0.1),
    /** PSI at or above this triggers a retraining cycle. */
    psiRetrain: z.number().positive().default(0.25),
    /** The challenger's held-out PR-AUC must exceed the champion's by more than this. */
    prAucMargin: z.number().nonnegative().default(0.005),
    /** The anomaly false-alarm rate may rise by at most this (absolute share of judged rows). */
    falseAlarmMargin: z.number().nonnegative().default(0.01),
    /** Fine-tuning epochs (early stopping may end sooner). */
    epochs: z.number().int().positive().default(5),
    /** Fine-tuning learning rate, below the 1e-3 of training from scratch so the warm start is kept. */
    learningRate: z.number().positive().default(1e-4),
    /** Freeze the champion's LSTM tower and fine-tune only the dense layers and heads. */
    freezeLstm: z.boolean().default(false),
    /**
     * Every Nth training cycle of the service is a full cycle: the champion's architecture from
     * fresh weights on every symbol's whole history pooled (0 = never; counted per process).
     */
    fullCycleEvery: z.number().int().nonnegative().default(0),
    /** Epochs, learning rate and patience of a full cycle (train's defaults). */
    fullEpochs: z.number().int().positive().default(30),
    fullLearningRate: z.number().positive().default(1e-3),
    fullPatience: z.number().int().positive().default(5),
    /** Fine-tuning epochs of the anomaly forecaster in a cycle; 0 keeps the champion's anomaly model. */
    anomalyEpochs: z.number().int().nonnegative().default(3),
    /** Its learning rate: a tenth of the 3e-3 it is trained with from scratch. */
    anomalyLearningRate: z.number().positive().default(3e-4),
    batchSize: z.number().int().positive().default(64),
    patience: z.number().int().positive().default(2),
    seed: z.number().int().default(42),
    /** Most recent closed bars per symbol used for a cycle (bounds memory and time). */
    recentBars: z.number().int().positive().default(750),
    /** Share of the recent bar times used for validation and for the held-out comparison period. */
    validationFraction: z.number().gt(0).lt(0.5).default(0.15),
    evaluationFraction: z.number().gt(0).lt(0.5).default(0.15),
    /** GAN augmentation of rare risk-event windows: off, or auto (used when it improves validation PR-AUC). */
    augmentation: z.enum(['off', 'auto']).default('off'),
    /** GAN training steps, batch, hidden units, noise per step and the steps of noise each output sees. */
    ganSteps: z.number().int().positive().default(400),
    ganBatchSize: z.number().int().positive().default(64),
    ganUnits: z.number().int().positive().default(32),
    ganNoiseDim: z.number().int().positive().default(4),
    ganContext: z.number().int().positive().default(12),
    ganLearningRate: z.number().positive().default(1e-3),
    /** Synthetic positive windows added per real positive training window. */
    syntheticRatio: z.number().positive().default(1),
    /** Generated paths and bars per path whose returns the stylized facts are measured on. */
    ganFactPaths: z.number().int().positive().default(64),
    ganFactBars: z.number().int().min(12).default(250),
    /** Quality gates of the synthetic data (docs/retrainer.md). */
    ganRequireStylizedFacts: z.boolean().default(true),
    ganMaxDiscriminativeAccuracy: z.number().gte(0.5).lte(1).default(0.8),
    ganMinTstrAuc: z.number().gte(0).lte(1).default(0.55),
    /** Mutual-information feature selection: off, or auto (drop a feature only if validation does not get worse). */
    featureSelection: z.enum(['off', 'auto']).default('off'),
    /** Lowest-MI features tried for dropping (one fine-tuning run each). */
    selectionCandidates: z.number().int().nonnegative().default(3),
    /** k of the k-NN mutual-information estimator. */
    selectionNeighbours: z.number().int().positive().default(3),
  })
  .prefault({})
  .superRefine((c, ctx) => {
    const cron = c.cron === undefined ? null : cronProblem(c.cron, c.cronTimezone);
    if (cron !== null) ctx.addIssue({ code: 'custom', path: ['cron'], message: cron });
    if (!(c.psiWarn <= c.psiRetrain)) {
      ctx.addIssue({ code: 'custom', path: ['psiWarn'], message: 'psiWarn must be <= psiRetrain' });
    }
  });

export type RetrainerConfig = z.infer<typeof retrainerConfig>;
