/**
 * When the retrainer runs a cycle. Interval only: no maintained cron parser is in the dependency
 * tree, and a hand-written one would be a second scheduler to test; a 5-field cron expression is
 * rejected with that explanation rather than half-supported.
 */
export interface RetrainSchedule {
  /** Unconditional retraining every intervalMs (0 = only when drift asks for it). */
  intervalMs: number;
  /** Drift checks every driftCheckMs. */
  driftCheckMs: number;
}

export type ScheduleTrigger = 'schedule' | 'drift-check';

export interface ScheduleDecision {
  trigger: ScheduleTrigger | null;
  /** Wall-clock ms until the next thing is due (for the timer). */
  waitMs: number;
}

export interface ScheduleState {
  /** Wall clock of the last cycle that ran (any trigger), or null before the first. */
  lastCycleAt: number | null;
  /** Wall clock of the last drift check, or null before the first. */
  lastDriftCheckAt: number | null;
  /** When the service started; the first scheduled cycle is due intervalMs after it. */
  startedAt: number;
}

export function parseSchedule(input: {
  intervalMs: number;
  driftCheckMs: number;
  cron?: string;
}): RetrainSchedule {
  if (input.cron !== undefined && input.cron.trim() !== '') {
    throw new RangeError(
      `cron schedules are not supported (no cron parser among the dependencies), got ${JSON.stringify(input.cron)}: use an interval in ms`,
    );
  }
  for (const [name, v] of [
    ['intervalMs', input.intervalMs],
    ['driftCheckMs', input.driftCheckMs],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 0))
      throw new RangeError(`${name} must be an integer >= 0 ms, got ${v}`);
  }
  if (input.driftCheckMs === 0) throw new RangeError('driftCheckMs must be > 0');
  return { intervalMs: input.intervalMs, driftCheckMs: input.driftCheckMs };
}

/** What is due at `now`: a scheduled cycle wins over a drift check (it retrains anyway). */
export function nextDue(schedule: RetrainSchedule, state: ScheduleState, now: number): ScheduleDecision {
  const cycleDue =
    schedule.intervalMs > 0
      ? (state.lastCycleAt ?? state.startedAt) + schedule.intervalMs
      : Number.POSITIVE_INFINITY;
  const driftDue = (state.lastDriftCheckAt ?? state.startedAt) + schedule.driftCheckMs;
  if (now >= cycleDue) return { trigger: 'schedule', waitMs: 0 };
  if (now >= driftDue) return { trigger: 'drift-check', waitMs: 0 };
  return { trigger: null, waitMs: Math.max(0, Math.min(cycleDue, driftDue) - now) };
}
