import { cronProblem, nextCronTime } from '../shared/config/cron-expression.js';

/**
 * When the retrainer runs a cycle: on a cron expression (cron-parser; 5 fields, or 6 with
 * seconds, in a time zone) or, without one, every intervalMs; drift checks on their own cadence.
 */
export interface RetrainSchedule {
  /** Unconditional retraining every intervalMs (0 = only when drift asks for it); unused with cron. */
  intervalMs: number;
  /** Drift checks every driftCheckMs. */
  driftCheckMs: number;
  /** Scheduled cycles at these times instead of the interval. */
  cron: { expression: string; timezone: string } | null;
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
  cron?: string | undefined;
  cronTimezone?: string | undefined;
}): RetrainSchedule {
  for (const [name, v] of [
    ['intervalMs', input.intervalMs],
    ['driftCheckMs', input.driftCheckMs],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 0))
      throw new RangeError(`${name} must be an integer >= 0 ms, got ${v}`);
  }
  if (input.driftCheckMs === 0) throw new RangeError('driftCheckMs must be > 0');
  const expression = input.cron?.trim() ?? '';
  const cron = expression === '' ? null : { expression, timezone: input.cronTimezone ?? 'UTC' };
  if (cron) cronProblem(cron.expression, cron.timezone, true);
  return { intervalMs: input.intervalMs, driftCheckMs: input.driftCheckMs, cron };
}

/** What is due at `now`: a scheduled cycle wins over a drift check (it retrains anyway). */
export function nextDue(schedule: RetrainSchedule, state: ScheduleState, now: number): ScheduleDecision {
  const since = state.lastCycleAt ?? state.startedAt;
  // A cron time missed while a cycle ran is due at once, then the schedule continues after it.
  const cycleDue = schedule.cron
    ? nextCronTime(schedule.cron, since)
    : schedule.intervalMs > 0
      ? since + schedule.intervalMs
      : Number.POSITIVE_INFINITY;
  const driftDue = (state.lastDriftCheckAt ?? state.startedAt) + schedule.driftCheckMs;
  if (now >= cycleDue) return { trigger: 'schedule', waitMs: 0 };
  if (now >= driftDue) return { trigger: 'drift-check', waitMs: 0 };
  return { trigger: null, waitMs: Math.max(0, Math.min(cycleDue, driftDue) - now) };
}

/** Whether the next training cycle is a full one: every Nth (N = fullCycleEvery, 0 = never). */
export function fullCycleDue(fullCycleEvery: number, trainedCycles: number): boolean {
  return fullCycleEvery > 0 && (trainedCycles + 1) % fullCycleEvery === 0;
}
