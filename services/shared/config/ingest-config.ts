import { z } from 'zod';
import { DEFAULT_MACRO_INDICATORS } from '../contracts/feature-lists.js';

/**
 * The three consumer services (ticks, macro, news). Defaults suit a live feed with 1-second bars;
 * daily replays override barIntervalMs (1 day) and maxOutOfOrdernessMs (0), see docs/ingest.md.
 */
export const ingestConfig = z
  .object({
    /** Bar length; bars are aligned to the Unix epoch in UTC (1 day = 86400000). */
    barIntervalMs: z.number().int().positive().default(1_000),
    /** How far the watermark trails the highest event time seen on a partition. */
    maxOutOfOrdernessMs: z.number().int().nonnegative().default(2_000),
    /** Extra grace behind the watermark before a record is dead-lettered as late (windows stay open as long). */
    allowedLatenessMs: z.number().int().nonnegative().default(0),
    /** An event time further than this ahead of the wall clock is dead-lettered (future_event_time). */
    maxClockSkewMs: z.number().int().nonnegative().default(60_000),
    /** Event times before this instant are dead-lettered (before_horizon); ISO 8601 with offset. */
    horizonTime: z.iso.datetime({ offset: true }).default('1990-01-01T00:00:00Z'),
    /** RiskMetrics decay of the EWMA variance of bar log returns. */
    ewmaLambda: z.number().gt(0).lt(1).default(0.94),
    /**
     * Decay of the slow EWMA variance behind volRatio (0.995: half-life ~140 bars), the longer-run
     * volatility level the fast one is compared with.
     */
    slowEwmaLambda: z.number().gt(0).lt(1).default(0.995),
    /** Decay of the EWMA mean/variance of ln(1 + volume) behind volumeZ. */
    volumeEwmaLambda: z.number().gt(0).lt(1).default(0.94),
    /** volumeZ is 0 until this many earlier real bars are known (the EWMA variance warms up). */
    volumeMinHistory: z.number().int().min(2).default(20),
    /** Never fill a bar that starts on a Saturday or Sunday (UTC). */
    fillSkipWeekends: z.boolean().default(true),
    /** At most this many consecutive carried-forward bars after a symbol's last real bar. */
    maxFillBars: z.number().int().nonnegative().default(60),
    /**
     * When a partition receives nothing for this long (wall clock), its watermark advances with the
     * wall clock so the last bars close. 0 turns it off; keep it off for replays of old data.
     */
    idleFlushMs: z.number().int().nonnegative().default(0),
    /** Remembered keys per service for de-duplication (LRU). */
    dedupeCapacity: z.number().int().positive().default(100_000),
    /** Macro indicators accepted; anything else is dead-lettered (unknown_indicator). Empty = accept all. */
    indicatorAllowList: z.array(z.string().min(1)).default([...DEFAULT_MACRO_INDICATORS]),
    /** Earlier periods in a macro indicator's zScore window. */
    macroWindow: z.number().int().min(2).default(60),
    /** zScore is 0 (and surprise null) until this many earlier periods are known. */
    macroMinHistory: z.number().int().min(2).default(8),
    /** Half-life of the news sentiment, intensity and shock decays. */
    sentimentHalfLifeMs: z.number().int().positive().default(86_400_000),
    /** An item with sentiment at or below this (and relevance >= 0.5) sets negativeShock to 1. */
    shockThreshold: z.number().min(-1).max(1).default(-0.5),
  })
  .prefault({})
  .superRefine((c, ctx) => {
    if (c.macroMinHistory > c.macroWindow) {
      ctx.addIssue({
        code: 'custom',
        path: ['macroMinHistory'],
        message: `macroMinHistory (${c.macroMinHistory}) must not exceed macroWindow (${c.macroWindow})`,
      });
    }
  });

export type IngestConfig = z.infer<typeof ingestConfig>;
