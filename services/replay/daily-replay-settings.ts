/**
 * Ingest settings for consuming a daily replay: one bar per UTC day, the replay is in event-time
 * order so no out-of-orderness is waited for, and no wall-clock idle flush (the data is years old).
 */
export const DAILY_REPLAY_INGEST = {
  barIntervalMs: 86_400_000,
  maxOutOfOrdernessMs: 0,
  allowedLatenessMs: 0,
  idleFlushMs: 0,
} as const;
