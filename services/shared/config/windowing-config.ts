import { z } from 'zod';
import { DEFAULT_MACRO_INDICATORS } from '../contracts/feature-lists.js';

/** The windowing stage: as-of join, per-symbol ring windows, scaling and micro-batching. */
export const windowingConfig = z
  .object({
    /** L: bars per LSTM sequence; a symbol emits sequences once it has L bars. */
    seqLen: z.number().int().min(1).max(4_096).default(32),
    /** A micro-batch closes at this many sequences... */
    batchMaxSize: z.number().int().min(1).max(65_536).default(256),
    /** ...or this long after its first sequence, whichever comes first. */
    batchMaxDelayMs: z.number().int().nonnegative().default(20),
    /** Macro indicators joined to every bar, in tensor order (M = 2 x their count). */
    macroIndicators: z
      .array(z.string().min(1))
      .min(1)
      .default([...DEFAULT_MACRO_INDICATORS]),
    /** Symbols with no bar for this long in event time are evicted (window and sentiment state). */
    idleEvictMs: z
      .number()
      .int()
      .positive()
      .default(7 * 86_400_000),
    /**
     * A sentiment or macro stream with no record for this long (wall clock) no longer holds bars
     * back: it is idle, not late.
     */
    joinIdleMs: z.number().int().nonnegative().default(200),
    /** Longest a bar waits (wall clock) for lagging sentiment/macro before it is joined anyway. */
    joinMaxWaitMs: z.number().int().nonnegative().default(2_000),
    /**
     * Most bars held by the join at once; beyond it the oldest is joined anyway (never stall the
     * source). Default: half of maxInFlight (see joinMaxHeldOf).
     */
    joinMaxHeld: z.number().int().positive().optional(),
    /** Sentiment states kept per key for as-of lookups of bars that arrive late. */
    sentimentHistoryPerKey: z.number().int().min(1).default(64),
    /** Where the running feature statistics (used until a model bundle's scaler arrives) persist. */
    stateDir: z.string().min(1).default('.run/windowing'),
    /** How often (wall clock) the running statistics are written; also written on stop. */
    statsSnapshotMs: z.number().int().positive().default(30_000),
    /** Scaled values are clipped to +-clip while running statistics are in use. */
    clip: z.number().positive().default(5),
    /** Records read back per partition to rebuild windows and sentiment state after an assignment. */
    rebuildMaxRecords: z.number().int().positive().default(50_000),
    /** Waiting longer than this for the macro global table to reach its high watermark starts anyway. */
    macroBootstrapTimeoutMs: z.number().int().positive().default(30_000),
    /**
     * Un-acked bar/sentiment records before the windowing consumer pauses. Bar records stay un-acked
     * until the scorer has scored their sequence, so this bounds the sequences in flight.
     */
    maxInFlight: z.number().int().positive().default(16_384),
    /** Standalone mode (`run windowing`): how often batch statistics are logged. */
    logEveryMs: z.number().int().positive().default(5_000),
  })
  .prefault({})
  .superRefine((w, ctx) => {
    // Held bars are un-acked records: if they could fill maxInFlight the consumer would pause
    // and the sentiment records the bars wait for could never arrive.
    if (w.joinMaxHeld !== undefined && w.joinMaxHeld >= w.maxInFlight)
      ctx.addIssue({
        code: 'custom',
        path: ['joinMaxHeld'],
        message: `expected fewer than maxInFlight (${w.maxInFlight}) held bars`,
      });
  });

export type WindowingConfig = z.infer<typeof windowingConfig>;

/** The join's held-bar cap: as configured, or half of the in-flight budget. */
export function joinMaxHeldOf(w: Pick<WindowingConfig, 'joinMaxHeld' | 'maxInFlight'>): number {
  return w.joinMaxHeld ?? Math.max(1, Math.floor(w.maxInFlight / 2));
}
