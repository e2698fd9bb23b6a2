import type { Severity } from '../shared/contracts/records.js';

export const SEVERITIES: readonly Severity[] = ['INFO', 'WARNING', 'CRITICAL'];

/**
 * Calibrated enter thresholds per severity (ascending) and the exit level below which an active
 * severity is left (hysteresis: exit < enter, so a score hovering at a threshold does not flap).
 */
export interface SeverityLadder {
  enter: Record<Severity, number>;
  exit: Record<Severity, number>;
}

export function ladderFromThresholds(enter: Record<Severity, number>, exitRatio: number): SeverityLadder {
  if (!(enter.INFO <= enter.WARNING && enter.WARNING <= enter.CRITICAL)) {
    throw new Error(
      `severity thresholds must ascend INFO <= WARNING <= CRITICAL, got ${enter.INFO}, ${enter.WARNING}, ${enter.CRITICAL}`,
    );
  }
  if (!(exitRatio > 0 && exitRatio <= 1)) throw new Error(`exitRatio must be in (0, 1], got ${exitRatio}`);
  return {
    enter,
    exit: {
      INFO: enter.INFO * exitRatio,
      WARNING: enter.WARNING * exitRatio,
      CRITICAL: enter.CRITICAL * exitRatio,
    },
  };
}

const rank = (s: Severity | null) => (s === null ? -1 : SEVERITIES.indexOf(s));

/** The highest severity whose enter threshold the score reaches, or null. */
export function severityFor(ladder: SeverityLadder, score: number): Severity | null {
  let out: Severity | null = null;
  for (const s of SEVERITIES) if (score >= ladder.enter[s]) out = s;
  return out;
}

/**
 * Hysteresis state of one (symbol, alert type). `step` returns the severity to alert at, if the
 * score escalates the state; staying at or below the active level fires nothing.
 */
export class SeverityState {
  private active: Severity | null = null;

  constructor(private readonly ladder: SeverityLadder) {}

  get level(): Severity | null {
    return this.active;
  }

  step(score: number): { fire: Severity | null; held: boolean } {
    // Leave levels whose exit threshold the score has fallen below, one rung at a time.
    while (this.active !== null && score < this.ladder.exit[this.active]) {
      const r = rank(this.active);
      this.active = r > 0 ? (SEVERITIES[r - 1] as Severity) : null;
    }
    const entered = severityFor(this.ladder, score);
    if (entered !== null && rank(entered) > rank(this.active)) {
      this.active = entered;
      return { fire: entered, held: false };
    }
    // Above an enter threshold but already active at that level: a naive rule would alert again
    // here; hysteresis holds it back.
    return { fire: null, held: entered !== null };
  }
}
