import type { Violation } from './reason-codes.js';

/** Small checks shared by the feeds' validators; each returns a violation or null. */

export function requireText(
  record: string,
  fields: Record<string, string | null | undefined>,
): Violation | null {
  for (const [field, value] of Object.entries(fields)) {
    if (typeof value !== 'string' || value.trim() === '') {
      return {
        reason: 'missing_field',
        message: `${record}.${field}: expected a non-empty string, got ${JSON.stringify(value ?? null)}`,
      };
    }
  }
  return null;
}

/** Every listed number must be finite; null is allowed for optional fields (pass them as such). */
export function requireFinite(record: string, fields: Record<string, number | null>): Violation | null {
  for (const [field, value] of Object.entries(fields)) {
    if (value !== null && !Number.isFinite(value)) {
      return { reason: 'non_finite', message: `${record}.${field}: expected a finite number, got ${value}` };
    }
  }
  return null;
}

export function requireNonNegative(record: string, fields: Record<string, number>): Violation | null {
  for (const [field, value] of Object.entries(fields)) {
    if (value < 0) {
      return { reason: 'negative_size', message: `${record}.${field}: expected >= 0, got ${value}` };
    }
  }
  return null;
}

export function requireInRange(
  record: string,
  reason: 'sentiment_out_of_range' | 'relevance_out_of_range',
  field: string,
  value: number | null,
  min: number,
  max: number,
): Violation | null {
  if (value === null || (value >= min && value <= max)) return null;
  return { reason, message: `${record}.${field}: expected a value in [${min}, ${max}], got ${value}` };
}

export interface TimeBounds {
  /** Wall clock, epoch ms. */
  now: () => number;
  maxClockSkewMs: number;
  /** Earliest accepted event time, epoch ms. */
  horizon: number;
}

const iso = (t: number) => {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString();
};

export function checkEventTime(
  record: string,
  field: string,
  time: number,
  bounds: TimeBounds,
): Violation | null {
  const now = bounds.now();
  if (time > now + bounds.maxClockSkewMs) {
    return {
      reason: 'future_event_time',
      message: `${record}.${field}: ${iso(time)} is ${time - now} ms ahead of the wall clock ${iso(now)}; at most ${bounds.maxClockSkewMs} ms of clock skew is allowed`,
    };
  }
  if (time < bounds.horizon) {
    return {
      reason: 'before_horizon',
      message: `${record}.${field}: ${iso(time)} is before the horizon ${iso(bounds.horizon)}`,
    };
  }
  return null;
}

/** The first violation of a list of checks run in order (cheap ones first). */
export function firstViolation(...checks: (() => Violation | null)[]): Violation | null {
  for (const check of checks) {
    const v = check();
    if (v) return v;
  }
  return null;
}
